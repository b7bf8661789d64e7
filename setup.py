"""Ships the JSON Schemas inside the package: schema/ stays at the top of the repository (curators
and editors find it there), and a built wheel carries a copy as pipeline_tracker/schema/.
Everything else about the package is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithSchemas(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "schema"
        schemas = sorted(source.glob("*.schema.json"))
        if not schemas:
            raise SystemExit(f"no *.schema.json in {source}: the package would not validate")
        target = Path(self.build_lib) / "pipeline_tracker" / "schema"
        target.mkdir(parents=True, exist_ok=True)
        for path in schemas:
            shutil.copyfile(path, target / path.name)


setup(cmdclass={"build_py": BuildPyWithSchemas})
