"""Puts resources/trainer on sys.path so tests import the worker's modules the way worker.py does."""

import os
import sys

TRAINER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TRAINER_DIR not in sys.path:
    sys.path.insert(0, TRAINER_DIR)
