"""The grader: problem files -> compiled suite -> observe -> judge -> report.

Kept free of imports at package level so the grading child process starts fast.
"""
