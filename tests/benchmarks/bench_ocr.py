"""OCR of business licences: field-level exact-match rate and seconds per page.

``make bench BENCH=ocr`` → ``results/ocr.json``. Licences are generated with known fields
(``models/documents/synthetic.py``: CJK font from Debian, red seal over the lower text,
rotation ±3°, blur up to 1.2 px, paper grain, JPEG 70–92) and read back by the same
``models.documents.reader.read_fields`` the CLI and the onboarding checks call.

* ``accuracy``: :data:`PAGES` licences (seeds 0…), per field the share whose value equals the
  truth exactly (normal forms of ``models/documents/fields.py``); targets 98 % for the credit
  code and the name; the share of pages with every field right; how often a wrong value was
  reported with confidence ≥ 0.9.
* ``seconds_per_page``: wall and CPU seconds per page (decode + preprocessing + OCR +
  extraction; the engine loaded before timing), median / p90 / mean, with the load average —
  the machine is shared, so wall figures are upper bounds.
* ``ablation``: the first :data:`ABLATION_PAGES` licences read again without stamp removal,
  without deskew and with no preprocessing at all: what each step buys.
* ``pdf``: licences wrapped as one-page PDFs (pypdfium2 renders them) read the same way.
* ``certificates``: :data:`CERTIFICATE_PAGES` generated pages of each certificate type
  (``models/documents/synthetic_certificates.py``: bank account certificates 开户许可证 /
  开户证明; ISO 9001/14001/45001 certificates and 安全生产许可证), same noise, read by
  ``models.documents.reader.read_typed`` with the type *detected*: the share of pages whose
  type was detected right, per-field exact match, seconds per page (CPU seconds are the
  honest figure on the loaded machine).

``OCR_PART=certificates python -m tests.benchmarks ocr`` runs only the certificate section
and keeps the licence sections of the committed ``results/ocr.json`` (their own measurement
time and commit under ``licences_measured``).
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import replace

from tests.benchmarks import harness

PAGES = harness.by_mode(200, 12)
ABLATION_PAGES = harness.by_mode(20, 4)
PDF_PAGES = harness.by_mode(8, 2)
CERTIFICATE_PAGES = harness.by_mode(100, 4)
TARGETS = {"credit_code": 0.98, "name": 0.98}


def _certificates(document_type: str, seeds: range) -> dict:
    from models.documents.certificates import CERTIFICATE_FIELDS
    from models.documents.reader import clear_cache, read_typed
    from models.documents.synthetic_certificates import make_certificate

    names = CERTIFICATE_FIELDS[document_type]
    correct = dict.fromkeys(names, 0)
    confident_wrong = dict.fromkeys(names, 0)
    clear_cache()
    wall, cpu, typed, all_right, errors = [], [], 0, 0, []
    for seed in seeds:
        cert = make_certificate(seed, document_type)
        t0, c0 = time.perf_counter(), time.process_time()
        kind, fields = read_typed(cert.image)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        typed += kind == document_type
        right = kind == document_type and all(fields[k].value == cert.truth[k] for k in names)
        all_right += right
        for name in names:
            value = fields.get(name)
            if value is not None and value.value == cert.truth[name]:
                correct[name] += 1
            else:
                confident_wrong[name] += value is not None and value.confidence >= 0.9
                if len(errors) < 25:
                    errors.append({"seed": seed, "field": name, "truth": cert.truth[name],
                                   "read": None if value is None else value.value,
                                   "detected": kind})
    n = len(seeds)
    ordered = sorted(wall)
    return {
        "pages": n,
        "type_detected": round(typed / n, 4),
        "exact_match": {k: round(v / n, 4) for k, v in correct.items()},
        "all_fields_exact": round(all_right / n, 4),
        "wrong_with_confidence_ge_0_9": confident_wrong,
        "seconds_per_page": {
            "wall_median": round(statistics.median(wall), 3),
            "wall_p90": round(ordered[min(n - 1, int(0.9 * n))], 3),
            "cpu_median": round(statistics.median(cpu), 3),
            "cpu_mean": round(statistics.fmean(cpu), 3),
        },
        "first_errors": errors,
    }


def run_certificates() -> dict:
    """The ``certificates`` section: each certificate type on :data:`CERTIFICATE_PAGES`
    pages, with the load average around it."""
    from models.documents import engine

    engine.engine()
    load_before = os.getloadavg()
    section = {kind: _certificates(kind, range(CERTIFICATE_PAGES))
               for kind in ("bank_account_certificate", "iso_certificate")}
    section["load_average_before_after"] = [round(load_before[0], 2),
                                            round(os.getloadavg()[0], 2)]
    return section


def _evaluate(seeds: range, steps, *, pdf: bool = False) -> dict:
    from models.documents.fields import FIELDS
    from models.documents.reader import clear_cache, read_fields
    from models.documents.synthetic import licence_pdf, make_licence

    correct = dict.fromkeys(FIELDS, 0)
    confident_wrong = dict.fromkeys(FIELDS, 0)
    clear_cache()
    wall, cpu, all_right, errors = [], [], 0, []
    for seed in seeds:
        licence = make_licence(seed)
        data = licence_pdf(licence) if pdf else licence.image
        t0, c0 = time.perf_counter(), time.process_time()
        fields = read_fields(data, steps)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        for name in FIELDS:
            if fields[name].value == licence.truth[name]:
                correct[name] += 1
            else:
                confident_wrong[name] += fields[name].confidence >= 0.9
                if len(errors) < 25:
                    errors.append({"seed": seed, "field": name, "truth": licence.truth[name],
                                   "read": fields[name].value})
        all_right += all(fields[k].value == licence.truth[k] for k in FIELDS)
    n = len(seeds)
    ordered = sorted(wall)
    return {
        "pages": n,
        "exact_match": {k: round(v / n, 4) for k, v in correct.items()},
        "all_fields_exact": round(all_right / len(seeds), 4),
        "wrong_with_confidence_ge_0_9": confident_wrong,
        "seconds_per_page": {
            "wall_median": round(statistics.median(wall), 3),
            "wall_p90": round(ordered[min(n - 1, int(0.9 * n))], 3),
            "wall_mean": round(statistics.fmean(wall), 3),
            "cpu_median": round(statistics.median(cpu), 3),
        },
        "first_errors": errors,
    }


def run() -> dict:
    """Accuracy, speed, ablation, PDF and certificate sections (see the module docstring);
    ``OCR_PART=certificates`` re-measures only the certificates."""
    if os.environ.get("OCR_PART") == "certificates":
        import json
        from pathlib import Path

        committed = json.loads((Path(__file__).parent / "results" / "ocr.json").read_text())
        result = committed["result"]
        result.setdefault("licences_measured", {k: committed[k] for k in (
            "measured_at", "commit", "wall_seconds", "quick")})
        result["certificates"] = run_certificates()
        return result
    from models.documents import engine
    from models.documents.preprocess import Steps

    engine.engine()  # load the models before anything is timed
    load_before = os.getloadavg()
    accuracy = _evaluate(range(PAGES), Steps())
    load_after = os.getloadavg()
    ablation = {
        "pages": ABLATION_PAGES,
        "all_steps": _evaluate(range(ABLATION_PAGES), Steps()),
        "no_stamp_removal": _evaluate(range(ABLATION_PAGES), replace(Steps(), stamp=False)),
        "no_deskew": _evaluate(range(ABLATION_PAGES), replace(Steps(), deskew=False)),
        "no_preprocessing": _evaluate(range(ABLATION_PAGES),
                                      Steps(stamp=False, contrast=False, deskew=False,
                                            resize=False)),
    }
    for section in ablation.values():
        if isinstance(section, dict):
            section.pop("first_errors", None)
    pdf = _evaluate(range(1000, 1000 + PDF_PAGES), Steps(), pdf=True)
    return {
        "engine": "rapidocr-onnxruntime (PP-OCRv4 det/rec, ONNX Runtime CPU), no angle classifier",
        "targets": TARGETS,
        "meets_targets": {k: accuracy["exact_match"][k] >= v for k, v in TARGETS.items()},
        "accuracy": accuracy,
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "cores": os.cpu_count(),
        "ablation": ablation,
        "pdf": pdf,
        "certificates": run_certificates(),
    }
