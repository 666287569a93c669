"""emu/repl/expr.py — gdb-style expressions over registers, memory, symbols and frame slots.

    $rax  $pc  $sp  $eflags        registers (emu.cpu.regs.parse_reg names)
    $1  $  $$                      values printed earlier by ``p`` (gdb's value history)
    42  0x2a  0o52  0b101010  'A'  numbers and characters
    syscall.Syscall  syscall·Syscall.ok  Syscall   symbols of the image (a unique suffix is enough)
    a1  trap  r1                   the current stub's Go frame slots (their values)
    *EXPR                          the 8-byte word at EXPR
    - ~ !  * / %  + -  << >>  <  <= > >=  == !=  &  ^  |   C's operators and precedence

Values are unsigned 64-bit, as in a register. Errors are :class:`ExprError`, one line in
gdb's words (``No symbol "foo" in current context.``).
"""
from __future__ import annotations

import re

MASK = 0xFFFFFFFFFFFFFFFF


class ExprError(ValueError):
    """A bad expression: the message is what the user sees."""


_TOKEN = re.compile(r"""\s*(?:
    (?P<num>0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|\d+)
  | (?P<chr>'(?:\\.|[^'\\])')
  | (?P<reg>\$[A-Za-z_][A-Za-z0-9_]*|\$\$?\d*)
  | (?P<name>[A-Za-z_][\w.·]*)
  | (?P<op><<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^~!()<>])
)""", re.VERBOSE)

# Binary operators by precedence, loosest first (C's table).
_LEVELS = (("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", "<=", ">", ">="),
           ("<<", ">>"), ("+", "-"), ("*", "/", "%"))
_HISTORY = re.compile(r"\$\$?\d*")
_CHAR_ESC = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39}


def tokenize(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"A syntax error in expression, near `{text[pos:].strip()}'.")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class Env:
    """What an expression can see; the debugger supplies a subclass."""

    def reg(self, name: str) -> int:
        raise ExprError(f"no register {name}")

    def u64(self, addr: int) -> int:
        raise ExprError(f"Cannot access memory at address {addr:#x}")

    def name(self, name: str) -> int:
        raise ExprError(f'No symbol "{name}" in current context.')

    def history(self, ref: str) -> int:
        raise ExprError("History is empty.")


class _Parser:
    def __init__(self, tokens, env: Env, text: str):
        self.t, self.i, self.env, self.text = tokens, 0, env, text

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            raise ExprError(f"A syntax error in expression, near `{self.rest()}'.")

    def rest(self) -> str:
        return " ".join(v for _, v in self.t[self.i:]) or ""

    def binary(self, level: int = 0) -> int:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in _LEVELS[level]:
            op = self.take()[1]
            left = _apply(op, left, self.binary(level + 1))
        return left

    def unary(self) -> int:
        kind, v = self.peek()
        if kind == "op" and v in ("-", "~", "!", "*", "+"):
            self.take()
            x = self.unary()
            if v == "*":
                return self.env.u64(x & MASK)
            return {"-": -x, "~": ~x, "!": int(x == 0), "+": x}[v]
        return self.primary()

    def primary(self) -> int:
        kind, v = self.take()
        if kind == "num":
            return int(v, 0)
        if kind == "chr":
            body = v[1:-1]
            return _CHAR_ESC.get(body[1], ord(body[1])) if body.startswith("\\") else ord(body)
        if kind == "reg":
            return self.env.history(v) if _HISTORY.fullmatch(v) else self.env.reg(v)
        if kind == "name":
            return self.env.name(v)
        if (kind, v) == ("op", "("):
            x = self.binary()
            self.expect(")")
            return x
        near = v if v is not None else ""
        raise ExprError(f"A syntax error in expression, near `{near} {self.rest()}'.".replace(" '", "'"))


def _apply(op: str, a: int, b: int) -> int:
    a, b = a & MASK, b & MASK
    if op in ("/", "%") and b == 0:
        raise ExprError("Division by zero")
    return {"||": lambda: int(bool(a or b)), "&&": lambda: int(bool(a and b)),
            "|": lambda: a | b, "^": lambda: a ^ b, "&": lambda: a & b,
            "==": lambda: int(a == b), "!=": lambda: int(a != b), "<": lambda: int(a < b),
            "<=": lambda: int(a <= b), ">": lambda: int(a > b), ">=": lambda: int(a >= b),
            "<<": lambda: a << (b & 63), ">>": lambda: a >> (b & 63), "+": lambda: a + b,
            "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a // b, "%": lambda: a % b}[op]()


def evaluate(text: str, env: Env) -> int:
    """The unsigned 64-bit value of ``text``; :class:`ExprError` if it is not an expression."""
    if not text.strip():
        raise ExprError("Argument required (expression to compute).")
    p = _Parser(tokenize(text), env, text)
    try:
        value = p.binary()
    except RecursionError:                    # thousands of '(' or '-': each one a call deeper
        raise ExprError("Expression nested too deeply.") from None
    if p.i != len(p.t):
        raise ExprError(f"A syntax error in expression, near `{p.rest()}'.")
    return value & MASK
