"""Showing code in a notebook: the lessons display the helpers they call, so nothing is hidden."""

from __future__ import annotations

import inspect
from collections.abc import Callable


def show_source(*functions: Callable) -> None:
    """Display the source code of ``functions`` as a highlighted code block in the notebook."""
    from IPython.display import Markdown, display

    code = "\n\n".join(inspect.getsource(f).rstrip() for f in functions)
    display(Markdown(f"```python\n{code}\n```"))
