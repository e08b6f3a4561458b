"""The model store: every trained model kept under <models_dir>/<model_name>/<version>/, and which one is in use.

    <models_dir>/<model_name>/<version>/model.joblib    the TrainedModel (joblib)
                                       metadata.json   training window, data fingerprint, features, metrics,
                                                       library versions, seed, trained_at
                                       card.md         the model card
                                       roc.png, calibration.png
    <models_dir>/<model_name>/candidate.json   the latest trained version, waiting for the promotion gate
    <models_dir>/<model_name>/active.json      the version in use (scores come from it)

A version is derived from the data fingerprint and the model configuration, so the same data trains into the
same version; saving it again leaves the stored folder as it was. Folders and pointers are written to a
temporary name and renamed into place, so a reader never sees half a model.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import joblib

from models.modelling import ModelSpec, TrainedModel

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
CARD_FILE = "card.md"
ROC_FILE = "roc.png"
CALIBRATION_FILE = "calibration.png"
ACTIVE_POINTER = "active.json"
CANDIDATE_POINTER = "candidate.json"


def library_versions() -> dict[str, str]:
    import matplotlib
    import numpy
    import pandas
    import sklearn

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "joblib": joblib.__version__,
        "matplotlib": matplotlib.__version__,
    }


def _write_json_atomically(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as stream:
        json.dump(payload, stream, indent=2, sort_keys=True)
        stream.write("\n")
    os.replace(temporary, path)


@dataclass(frozen=True)
class ActiveModel:
    model_name: str
    model_version: str
    promoted_at: datetime
    training_window_end: str
    data_fingerprint: str

    def as_json(self) -> dict:
        return {**self.__dict__, "promoted_at": self.promoted_at.isoformat()}


class ModelStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def model_dir(self, model_name: str, version: str) -> Path:
        return self.root / model_name / version

    def save(self, trained: TrainedModel, spec: ModelSpec, card: str, plots: dict[str, bytes]) -> Path:
        """Write the model's folder unless this version is already stored; point the candidate at it."""
        from models.linear import SEED

        final = self.model_dir(trained.name, trained.version)
        if not (final / METADATA_FILE).is_file():
            final.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{trained.version}."))
            joblib.dump(trained, staging / MODEL_FILE)
            metadata = {
                "model_name": trained.name,
                "title": spec.title,
                "version": trained.version,
                "trained_at": datetime.now(UTC).isoformat(),
                "data_fingerprint": trained.data_fingerprint,
                "training_window": trained.window,
                "label": spec.label_definition,
                "split": spec.split_definition,
                "features": [
                    {"column": feature.column, "kind": feature.kind, "known": feature.known}
                    for feature in spec.features
                ],
                "baseline": spec.baseline_title,
                "metrics": trained.metrics,
                "cv_auc_by_regularization": trained.cv_auc_by_regularization,
                "seed": SEED,
                "config": spec.config(),
                "library_versions": library_versions(),
            }
            (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n")
            (staging / CARD_FILE).write_text(card)
            for name, image in plots.items():
                (staging / name).write_bytes(image)
            shutil.rmtree(final, ignore_errors=True)  # a folder left without metadata by a crash
            os.replace(staging, final)
        _write_json_atomically(self.root / trained.name / CANDIDATE_POINTER, {"version": trained.version})
        return final

    def load(self, model_name: str, version: str) -> TrainedModel:
        return joblib.load(self.model_dir(model_name, version) / MODEL_FILE)

    def metadata(self, model_name: str, version: str) -> dict:
        return json.loads((self.model_dir(model_name, version) / METADATA_FILE).read_text())

    def _pointer(self, model_name: str, pointer: str) -> dict | None:
        path = self.root / model_name / pointer
        return json.loads(path.read_text()) if path.is_file() else None

    def candidate_version(self, model_name: str) -> str:
        pointer = self._pointer(model_name, CANDIDATE_POINTER)
        if pointer is None:
            raise FileNotFoundError(f"no candidate {model_name} has been trained into {self.root}")
        return pointer["version"]

    def active(self, model_name: str) -> ActiveModel | None:
        pointer = self._pointer(model_name, ACTIVE_POINTER)
        if pointer is None:
            return None
        return ActiveModel(**{**pointer, "promoted_at": datetime.fromisoformat(pointer["promoted_at"])})

    def activate(self, model_name: str, version: str, now: datetime | None = None) -> ActiveModel:
        """Point the active pointer at `version` (kept as is, promotion time included, when it already is)."""
        current = self.active(model_name)
        if current is not None and current.model_version == version:
            return current
        metadata = self.metadata(model_name, version)
        active = ActiveModel(
            model_name=model_name,
            model_version=version,
            promoted_at=now or datetime.now(UTC),
            training_window_end=metadata["training_window"]["cutoff"],
            data_fingerprint=metadata["data_fingerprint"],
        )
        _write_json_atomically(self.root / model_name / ACTIVE_POINTER, active.as_json())
        return active
