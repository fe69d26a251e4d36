"""dhkit: a national assessment of technology-facilitated child sexual exploitation and
abuse (TF-CSEA), from study design to published evidence.

The flow runs one way (see docs/design.md): study settings and instrument → import with
validation and quarantine → encrypted study store → weights → design-based estimates →
indicators, disclosure flags → report; beside it the legal checklist, qualitative
evidence and recommendations.
"""

__version__ = "0.1.0"
