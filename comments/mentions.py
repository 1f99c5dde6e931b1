"""
Finding `@name` mentions in a comment's text: plain strings in, names out.

A name is a user name as Django allows it (letters, digits and `@.+-_`),
written after an `@` that does not follow a word character, so an e-mail
address (`ap@example.com`) mentions nobody. A trailing full stop ends the
sentence, not the name.
"""

import re

_MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]{1,150})")


def mentioned_names(text: str) -> list[str]:
    """The names mentioned in `text`, each once, in the order written."""
    names = (match.rstrip(".") for match in _MENTION.findall(text))
    return list(dict.fromkeys(name for name in names if name))
