"""Click's and Typer's own words (usage, option headings, prompts, errors) in Spanish.

Typer (0.29) runs on its own copy of Click. Part of what it prints is marked with
``gettext`` (bound at import as ``_`` and ``ngettext`` in each module) but no catalogue ships:
each module's ``_`` and ``ngettext`` is pointed at the table below, once, when the command is
built, instead of depending on the process locale and a compiled catalogue on disk. The rest
is written in English f-strings: the help page is rewritten by ``SpanishCommand`` /
``SpanishGroup`` and every usage error is caught at the top (``SpanishGroup.main``) and said
again in Spanish, never in the library's words (an unknown one gets a generic Spanish line).
``tests/integration/test_cli.py`` walks every command's ``--help`` and the usage errors
against a list of English framework strings.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, NoReturn

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperArgument, TyperCommand, TyperGroup

SPANISH: dict[str, str] = {
    "Usage:": "Uso:",
    "Options": "Opciones",
    "Arguments": "Argumentos",
    "Commands": "Órdenes",
    "Positional arguments": "Argumentos posicionales",
    "Show this message and exit.": "Muestra esta ayuda y termina.",
    "Show the version and exit.": "Muestra la versión y termina.",
    "%(prog)s, version %(version)s": "%(prog)s, versión %(version)s",
    "default: {default}": "por omisión: {default}",
    "(dynamic)": "(calculado)",
    "required": "obligatorio",
    "env var: {var}": "variable de entorno: {var}",
    "deprecated": "obsoleto",
    "Aborted!": "Cancelado.",
    "Error: {message}": "Error: {message}",
    "Error: The two entered values do not match.": "Error: los dos valores escritos no coinciden.",
    "Error: invalid input": "Error: respuesta no válida",
    "Repeat for confirmation": "Repita para confirmar",
    "Do you want to continue?": "¿Desea continuar?",
    "Confirm the action without prompting.": "Confirma la acción sin preguntar.",
    "Press any key to continue...": "Pulse cualquier tecla para continuar…",
    "Try '{command} {option}' for help.": "Escriba «{command} {option}» para ver la ayuda.",
    "Missing command.": "Falta la orden.",
    "No such command {name!r}.": "No existe la orden «{name}».",
    "No such option {name!r}.": "No existe la opción «{name}».",
    "Missing argument": "Falta el argumento",
    "Missing option": "Falta la opción",
    "Missing parameter": "Falta un parámetro",
    "Missing parameter: {param_name}": "Falta el parámetro: {param_name}",
    "Missing {param_type}": "Falta {param_type}",
    "Invalid value for {param_hint}: {message}": "Valor no válido para {param_hint}: {message}",
    "Invalid value: {message}": "Valor no válido: {message}",
    "Option {name!r} does not take a value.": "La opción «{name}» no lleva valor.",
    "Option {name!r} requires an argument.": "La opción «{name}» necesita un valor.",
    "Option {name!r} requires {nargs} arguments.": "La opción «{name}» necesita {nargs} valores.",
    "Argument {name!r} takes {nargs} values.": "El argumento «{name}» lleva {nargs} valores.",
    "Got unexpected extra argument ({args})": "Sobra un argumento ({args})",
    "Got unexpected extra arguments ({args})": "Sobran argumentos ({args})",
    "Did you mean {possibility}?": "¿Quiso decir {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(¿Quiso decir alguna de: {possibilities}?)",
    "Invalid start character for option ({option})": (
        "Carácter inicial no válido para una opción ({option})"
    ),
    "Value must be an iterable.": "El valor debe ser una lista.",
    "Takes {nargs} values but 1 was given.": "Lleva {nargs} valores pero se dio 1.",
    "Takes {nargs} values but {len} were given.": "Lleva {nargs} valores pero se dieron {len}.",
    "file": "archivo",
    "directory": "directorio",
    "path": "ruta",
    "{name} {filename!r} does not exist.": "{name} «{filename}» no existe.",
    "{name} {filename!r} is a file.": "{name} «{filename}» es un archivo.",
    "{name} {filename!r} is a directory.": "{name} «{filename}» es un directorio.",
    "{name} {filename!r} is not readable.": "{name} «{filename}» no se puede leer.",
    "{name} {filename!r} is not writable.": "{name} «{filename}» no se puede escribir.",
    "{name} {filename!r} is not executable.": "{name} «{filename}» no es ejecutable.",
    "Could not open file {filename!r}: {message}": (
        "No se pudo abrir el archivo «{filename}»: {message}"
    ),
    "{value!r} is not a valid {number_type}.": "«{value}» no es un número válido.",
    "{value} is not in the range {range}.": "{value} no está en el intervalo {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "«{value}» no es sí o no. Valores reconocidos: {states}"
    ),
    "{value!r} is not a valid UUID.": "«{value}» no es un identificador válido.",
    "{value!r} is not {choice}.": "«{value}» no es {choice}.",
    "{value!r} is not one of {choices}.": "«{value}» no es ninguna de {choices}.",
    "Choose from:\n\t{choices}": "Elija entre:\n\t{choices}",
    "{value!r} does not match the format {format}.": "«{value}» no tiene el formato {format}.",
    "{value!r} does not match the formats {formats}.": (
        "«{value}» no tiene ninguno de los formatos {formats}."
    ),
    "{len_type} values are required, but {len_value} was given.": (
        "Se necesitan {len_type} valores, pero se dio {len_value}."
    ),
    "{len_type} values are required, but {len_value} were given.": (
        "Se necesitan {len_type} valores, pero se dieron {len_value}."
    ),
    "unknown error": "error desconocido",
    "{editor}: Editing failed": "{editor}: no se pudo editar",
    "{editor}: Editing failed: {e}": "{editor}: no se pudo editar: {e}",
}

# Where the two libraries bind ``gettext`` / ``ngettext`` at import.
_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
    "click._termui_impl",
    "typer.core",
    "typer.main",
    "typer.rich_utils",
)


def _spanish(message: str) -> str:
    return SPANISH.get(message, message)


def _spanish_plural(singular: str, plural: str, count: int) -> str:
    return _spanish(singular if count == 1 else plural)


def install() -> None:
    """Idempotent; affects only Click and Typer in this process."""
    for name in _MODULES:
        try:
            module: ModuleType = importlib.import_module(name)
        except ImportError:  # an optional module (rich_utils without rich)
            continue
        if hasattr(module, "_"):
            module._ = _spanish  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _spanish_plural  # type: ignore[attr-defined]


# What the help page says in English outside gettext, and the type labels Typer prints.
_HELP_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Usage: ", re.MULTILINE), "Uso: "),
    (re.compile(r"Show this message and exit\."), "Muestra esta ayuda y termina."),
    (re.compile(r"<file>"), "<archivo>"),
    (re.compile(r"<dir(?:ectory)?>"), "<directorio>"),
    (re.compile(r"<path>"), "<ruta>"),
    (re.compile(r"<int range>"), "<número>"),
    (re.compile(r"<int>"), "<número>"),
    (re.compile(r"<float>"), "<número>"),
    (re.compile(r"<str>"), "<texto>"),
    (re.compile(r"<bool>"), "<sí/no>"),
    (re.compile(r"\{([A-ZÁÉÍÓÚÑ_]+)\}"), r"\1"),  # a required argument in the usage line
)


def spanish_help(text: str) -> str:
    for pattern, replacement in _HELP_REWRITES:
        text = pattern.sub(replacement, text)
    return text


_PARAM_KIND = {"option": "la opción", "argument": "el argumento", "parameter": "el parámetro"}


def _quoted(text: str) -> str:
    """«x» for a value Click printed as 'x' (its repr)."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return f"«{text}»"


def _value_problem(message: str) -> str:
    """The part after «Valor no válido para …:», which Typer writes in English."""
    rules: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
        (r"(\w+) ('.*'|\".*\") does not exist\.", lambda m: f"{_quoted(m[2])} no existe."),
        (r"(\w+) ('.*'|\".*\") is a file\.", lambda m: f"{_quoted(m[2])} es un archivo."),
        (r"(\w+) ('.*'|\".*\") is a directory\.", lambda m: f"{_quoted(m[2])} es un directorio."),
        (r"(\w+) ('.*'|\".*\") is not readable\.", lambda m: f"{_quoted(m[2])} no se puede leer."),
        (
            r"(\w+) ('.*'|\".*\") is not writable\.",
            lambda m: f"{_quoted(m[2])} no se puede escribir.",
        ),
        (r"Value (.*) is not a valid (\w+)\.", lambda m: f"{_quoted(m[1])} no es válido."),
        (r"(.*) is not one of (.*)\.", lambda m: f"{_quoted(m[1])} no es ninguna de {m[2]}."),
        # Typer checks values with pydantic, whose messages are English too.
        (r"Input should be a valid integer.*", lambda m: "escriba un número entero."),
        (r"Input should be a valid number.*", lambda m: "escriba un número."),
        (r"Input should be a valid boolean.*", lambda m: "escriba sí o no."),
        (r"Input should be greater than or equal to (\S+)", lambda m: f"debe ser al menos {m[1]}."),
        (r"Input should be greater than (\S+)", lambda m: f"debe ser mayor que {m[1]}."),
        (r"Input should be less than or equal to (\S+)", lambda m: f"debe ser a lo más {m[1]}."),
        (r"Input should be less than (\S+)", lambda m: f"debe ser menor que {m[1]}."),
    )
    for pattern, render in rules:
        match = re.fullmatch(pattern, message, re.DOTALL)
        if match:
            return render(match)
    return message if message in SPANISH.values() else "el valor no es válido."


def spanish_error(message: str) -> str:
    """A usage error of the library said in Spanish; never its English words."""
    rules: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
        (
            r"Missing (option|argument|parameter) ?(.*?)\.(?: (.*))?",
            lambda m: f"Falta {_PARAM_KIND[m[1]]} {m[2]}.".replace(" .", "."),
        ),
        (r"Missing parameter: (.*)", lambda m: f"Falta el parámetro {m[1]}."),
        (
            r"Invalid value for (.*?): (.*)",
            lambda m: f"Valor no válido para {m[1]}: {_value_problem(m[2])}",
        ),
        (r"Invalid value: (.*)", lambda m: f"Valor no válido: {_value_problem(m[1])}"),
        (
            r"No such option: (\S+)(?: \(Possible options: (.*)\))?",
            lambda m: f"No existe la opción {m[1]}." + (f" ¿Quiso decir {m[2]}?" if m[2] else ""),
        ),
        (
            r"No such command (.*?)\.(?: Did you mean (.*)\?)?",
            lambda m: (
                f"No existe la orden {_quoted(m[1])}." + (f" ¿Quiso decir {m[2]}?" if m[2] else "")
            ),
        ),
        (
            r"Got unexpected extra arguments? ?(?:\(s\))? \((.*)\)",
            lambda m: f"Sobran argumentos: {m[1]}.",
        ),
        (r"Option (.*) requires .*", lambda m: f"La opción {_quoted(m[1])} necesita un valor."),
        (
            r"Option (.*) does not take a value\.",
            lambda m: f"La opción {_quoted(m[1])} no lleva valor.",
        ),
        (r"Missing command\.", lambda m: "Falta la orden."),
    )
    for pattern, render in rules:
        match = re.fullmatch(pattern, message.strip(), re.DOTALL)
        if match:
            return render(match)
    if message in SPANISH.values() or _looks_spanish(message):
        return message
    return "la orden no es válida."


def _looks_spanish(message: str) -> bool:
    """Our own ``BadParameter`` messages are Spanish; the library's have no accents or «»."""
    return any(mark in message for mark in "áéíóúñ«¿")


def _show_usage_error(error: UsageError) -> None:
    if isinstance(error, NoArgsIsHelpError):  # its message is the (Spanish) help page
        typer.echo(error.format_message(), err=True)
        return
    context = error.ctx
    if context is not None:
        typer.echo(context.get_usage(), err=True)
        if context.command.get_help_option(context) is not None:
            typer.echo(
                f"Escriba «{context.command_path} {context.help_option_names[0]}» para ver "
                "la ayuda.\n",
                err=True,
            )
    typer.echo(f"Error: {spanish_error(error.format_message())}", err=True)


def _no_type_label(ctx: Any) -> None:
    return None


class SpanishCommand(TyperCommand):
    """A command whose help page is Spanish."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            # An argument with a Spanish name needs no English type label beside it.
            if isinstance(param, TyperArgument) and param.metavar:
                setattr(param, "display_type_rich", _no_type_label)  # noqa: B010

    def get_help(self, ctx: Any) -> str:
        return spanish_help(super().get_help(ctx))

    def get_usage(self, ctx: Any) -> str:
        return spanish_help(super().get_usage(ctx))


class SpanishGroup(TyperGroup):
    """A group whose help page, and (at the top) whose usage errors, are Spanish."""

    def get_help(self, ctx: Any) -> str:
        return spanish_help(super().get_help(ctx))

    def get_usage(self, ctx: Any) -> str:
        return spanish_help(super().get_usage(ctx))

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        install()
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except UsageError as error:
            _show_usage_error(error)
            _exit(error.exit_code)
        except ClickException as error:
            typer.echo(f"Error: {spanish_error(error.format_message())}", err=True)
            _exit(error.exit_code)
        except typer.Abort:
            typer.echo("Cancelado.", err=True)
            _exit(1)
        _exit(code if isinstance(code, int) else 0)


def _exit(code: int) -> NoReturn:
    sys.exit(code)
