"""Synthetic corpora and their planted answers: what the benchmark (bench/) and the scale tests
use to check answers at any size. Nothing else in the library depends on this package;
``policykg synth`` is its only command."""
