"""How good is a ranked list: the backtest against simple peers (``backtest``) and fast disc coverage
(``coverage``)."""
