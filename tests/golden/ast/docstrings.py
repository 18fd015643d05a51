"""Module docstring."""

class C:
    """Class doc."""

    def m(self):
        r'''Method doc
        spans lines.'''

def f():
    "single"
