"""What police-recorded "violence" is made of, by partnership (``violence_profile``) and its files
(``report``)."""
