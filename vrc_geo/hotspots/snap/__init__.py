"""police.uk's snap points: map epochs and re-snapping (``epochs``), institutional sites by name and
rule (``sites``), across a redraw (``succession``) and over every month held (``site_types``)."""
