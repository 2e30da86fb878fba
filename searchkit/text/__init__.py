"""Pure text functions for Vietnamese: normalisation, folding, syllables, segmentation.

Nothing in this package does I/O or imports from the rest of searchkit.
"""
