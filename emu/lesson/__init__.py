"""emu/lesson — ``gosyscall explain``: a lesson built from a traced run (build.py), notes on each
line of the path (notes.py), rendered as text, Markdown or one HTML page (render.py, lesson.html)."""
