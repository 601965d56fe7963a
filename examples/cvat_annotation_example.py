#!/usr/bin/env python3
"""The CVAT annotation workflow's Python steps, run against one fom instance.

Run it through `fom exec`, so that it gets exactly the environment of the instance: its database
(FIFTYONE_DATABASE_URI, FIFTYONE_DATABASE_NAME) and, when the instance has "cvatSync": true, its CVAT
credentials (FIFTYONE_CVAT_URL, FIFTYONE_CVAT_USERNAME, FIFTYONE_CVAT_PASSWORD):

  fom exec annotate -- .venv/bin/python examples/cvat_annotation_example.py \\
      create --dataset pets --from-dir ./images --label-field ground_truth \\
      --classes cat,dog --anno-key pets_v1
  # (no images at hand? add --make-images: it writes a few small generated ones into the
  # directory first)
  # ... annotate in CVAT (the task URLs are printed) ...
  fom exec annotate -- .venv/bin/python examples/cvat_annotation_example.py \\
      load --dataset pets --anno-key pets_v1
  fom exec annotate -- .venv/bin/python examples/cvat_annotation_example.py \\
      cleanup --dataset pets --anno-key pets_v1

The App of the same instance then shows the dataset and its labels. The CVAT password is never
printed. The credentials are handed to FiftyOne as strings, so a password with a comma or a purely
numeric user name works here even though FiftyOne's own parsing of the variables would mangle them.
"""

import argparse
import json
import os
import sys

LABEL_TYPES = [
    "classification", "classifications", "detections", "instances", "polylines", "polygons",
    "keypoints", "segmentation", "scalar",
]

RESTART_HINT = (
    "hint: turn on CVAT sync for the instance (\"cvatSync\": true in supervisor.json), put CVAT_URL, CVAT_USERNAME and CVAT_PASSWORD in the env "
    "file, restart the instance (`fom restart INSTANCE`), and run this script as "
    "`fom exec INSTANCE -- .venv/bin/python examples/cvat_annotation_example.py ...`; "
    "`fom env INSTANCE | grep CVAT` shows what the instance got."
)


class UsageError(Exception):
    """An error with a message meant for the user, without a traceback."""


def _secret_values():
    return [v for v in (os.environ.get("FIFTYONE_CVAT_PASSWORD"),) if v]


def _scrub(text):
    for secret in _secret_values():
        text = text.replace(secret, "********")
    return text


def cvat_credentials():
    """The CVAT settings from the environment, as keyword arguments for FiftyOne, or UsageError."""
    env = os.environ
    has_user = env.get("FIFTYONE_CVAT_USERNAME") or env.get("FIFTYONE_CVAT_EMAIL")
    missing = [k for k in ("FIFTYONE_CVAT_URL", "FIFTYONE_CVAT_USERNAME", "FIFTYONE_CVAT_PASSWORD")
               if not env.get(k) and not (k == "FIFTYONE_CVAT_USERNAME" and has_user)]
    if missing:
        raise UsageError(
            "%s %s not set in this environment, so FiftyOne cannot log in to CVAT "
            "(it would prompt for them on stdin, or fall back to https://app.cvat.ai).\n%s"
            % (", ".join(missing), "is" if len(missing) == 1 else "are", RESTART_HINT)
        )
    creds = {"url": env["FIFTYONE_CVAT_URL"].rstrip("/"), "password": env["FIFTYONE_CVAT_PASSWORD"]}
    if env.get("FIFTYONE_CVAT_USERNAME"):
        creds["username"] = env["FIFTYONE_CVAT_USERNAME"]
    if env.get("FIFTYONE_CVAT_EMAIL"):
        creds["email"] = env["FIFTYONE_CVAT_EMAIL"]
    headers = env.get("FIFTYONE_CVAT_HEADERS")
    if headers:
        # FiftyOne keeps this variable as a plain string, which breaks every request; accept JSON.
        try:
            parsed = json.loads(headers)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise UsageError(
                "FIFTYONE_CVAT_HEADERS must be a JSON object such as {\"X-Key\": \"value\"} "
                "(FiftyOne cannot use it from the environment as it is); unset it or fix it"
            )
        creds["headers"] = {str(k): str(v) for k, v in parsed.items()}
    return creds


def check_database():
    if not os.environ.get("FIFTYONE_DATABASE_URI"):
        raise UsageError(
            "FIFTYONE_DATABASE_URI is not set, so FiftyOne would start a private MongoDB instead "
            "of using the instance's database.\nhint: run this script as `fom exec INSTANCE -- "
            ".venv/bin/python examples/cvat_annotation_example.py ...` so it gets the instance's "
            "FIFTYONE_DATABASE_URI and FIFTYONE_DATABASE_NAME"
        )


def where():
    return "database %r at %s" % (
        os.environ.get("FIFTYONE_DATABASE_NAME") or "fiftyone",
        _redact_uri(os.environ["FIFTYONE_DATABASE_URI"]),
    )


def _redact_uri(uri):
    # mongodb://user:pass@host -> mongodb://user:***@host
    scheme, sep, rest = uri.partition("://")
    creds, at, host = rest.rpartition("@")
    if at and ":" in creds:
        creds = creds.split(":", 1)[0] + ":***"
    return scheme + sep + creds + at + host if at else uri


IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def make_images(directory, count=4):
    """Writes `count` small generated images (a shape on a plain background) into `directory`
    when it holds no image yet, so that the workflow can be tried without a data set at hand."""
    os.makedirs(directory, exist_ok=True)
    if any(n.lower().endswith(IMAGE_EXTENSIONS) for n in os.listdir(directory)):
        return 0
    from PIL import Image, ImageDraw  # Pillow comes with FiftyOne

    colors = [(200, 60, 60), (60, 160, 60), (60, 90, 200), (220, 180, 40)]
    for i in range(count):
        image = Image.new("RGB", (96, 64), (235, 235, 235))
        draw = ImageDraw.Draw(image)
        x = 10 + 15 * i
        if i % 2:
            draw.ellipse([x, 12, x + 36, 48], fill=colors[i % len(colors)])
        else:
            draw.rectangle([x, 14, x + 34, 50], fill=colors[i % len(colors)])
        image.save(os.path.join(directory, "sample-%02d.png" % (i + 1)))
    print("wrote %d generated images into %s" % (count, directory), file=sys.stderr)
    return count


def load_dataset(fo, name, from_dir=None, make=False):
    """The dataset, and whether this call created it (so that a failed `create` can remove it)."""
    if fo.dataset_exists(name):
        dataset = fo.load_dataset(name)
        if from_dir:
            print("dataset %r exists already; --from-dir ignored" % name, file=sys.stderr)
        return dataset, False
    elif from_dir:
        if make:
            make_images(from_dir)
        if not os.path.isdir(from_dir):
            raise UsageError(
                "--from-dir %s: no such directory (add --make-images to fill it with a few "
                "generated images)" % from_dir)
        print("creating dataset %r from the images in %s" % (name, from_dir), file=sys.stderr)
        try:
            dataset = fo.Dataset.from_dir(
                dataset_dir=os.path.abspath(from_dir),
                dataset_type=fo.types.ImageDirectory,
                name=name,
            )
        except BaseException:
            if fo.dataset_exists(name):  # made, then the import failed: no half-made dataset
                fo.delete_dataset(name)
            raise
    else:
        known = fo.list_datasets()
        raise UsageError(
            "dataset %r does not exist in %s (it has: %s); pass --from-dir DIR to create it from a "
            "directory of images (with --make-images to generate a few)"
            % (name, where(), ", ".join(known) if known else "no datasets")
        )
    if not dataset.persistent:
        # a non-persistent dataset is deleted once no FiftyOne process uses it, and the
        # annotation run with it
        dataset.persistent = True
    return dataset, True


def require_run(dataset, anno_key):
    if not dataset.has_annotation_run(anno_key):
        runs = dataset.list_annotation_runs()
        raise UsageError(
            "dataset %r has no annotation run %r (it has: %s)"
            % (dataset.name, anno_key, ", ".join(runs) if runs else "none")
        )


def load_results(dataset, anno_key, creds):
    """The run's results, or None for a run whose create step failed before CVAT had tasks."""
    return dataset.load_annotation_results(anno_key, **creds)


def cmd_create(fo, args, creds):
    if args.make_images and not args.from_dir:
        raise UsageError("--make-images needs --from-dir DIR (where to write the images)")
    dataset, created = load_dataset(fo, args.dataset, args.from_dir, args.make_images)
    try:
        _create_run(fo, args, creds, dataset)
    except BaseException:
        # a create that fails leaves nothing behind: a dataset made for it goes with it, so the
        # same command can simply be run again
        if created:
            name = dataset.name
            dataset.delete()
            print("removed dataset %r, which this failed create had made" % name, file=sys.stderr)
        raise


def _create_run(fo, args, creds, dataset):
    if dataset.has_annotation_run(args.anno_key):
        raise UsageError(
            "dataset %r already has an annotation run %r: `load` it, `cleanup` it, or choose "
            "another --anno-key" % (dataset.name, args.anno_key)
        )
    if len(dataset) == 0:
        raise UsageError("dataset %r has no samples to annotate" % dataset.name)
    classes = [c.strip() for c in args.classes.split(",") if c.strip()] if args.classes else None
    print(
        "uploading %d samples of %r to CVAT at %s (anno key %r, field %r, %s)"
        % (len(dataset), dataset.name, creds["url"], args.anno_key, args.label_field,
           args.label_type),
        file=sys.stderr,
    )
    extra = {}
    if args.task_size:
        extra["task_size"] = args.task_size
    if args.project_name:
        extra["project_name"] = args.project_name
    try:
        results = dataset.annotate(
            args.anno_key,
            backend="cvat",
            label_field=args.label_field,
            label_type=args.label_type,
            classes=classes,
            launch_editor=False,
            **extra,
            **creds,
        )
    except BaseException:
        # annotate() registers the run before it talks to CVAT, and leaves that empty record
        # behind when CVAT fails; remove it so that the same --anno-key can be tried again
        if dataset.has_annotation_run(args.anno_key):
            dataset.delete_annotation_run(args.anno_key)
        raise
    task_ids = list(results.task_ids or [])
    print("anno_key: %s" % args.anno_key)
    print("task_ids: %s" % " ".join(str(t) for t in task_ids))
    for task_id in task_ids:
        jobs = (results.job_ids or {}).get(task_id, [])
        print("task %s: %s/tasks/%s  jobs: %s"
              % (task_id, creds["url"], task_id, " ".join(str(j) for j in jobs) or "-"))
    for project_id in results.project_ids or []:
        print("project %s: %s/projects/%s" % (project_id, creds["url"], project_id))


def _label_counts(fo, dataset, field):
    """(samples with the field, labels, {class: count}) for a label field."""
    if not dataset.has_field(field):
        return 0, 0, {}
    with_field = dataset.exists(field).count()
    doc_type = getattr(dataset.get_field(field), "document_type", None)
    if doc_type is None or not issubclass(doc_type, fo.Label):
        return with_field, with_field, {}  # a scalar field: one value per sample
    list_field = getattr(doc_type, "_LABEL_LIST_FIELD", None)
    path = "%s.%s" % (field, list_field) if list_field else field
    labels = dataset.count(path)
    label_doc = getattr(doc_type, "_LABEL_LIST_FIELD", None) and getattr(
        dataset.get_field(path), "field", None)
    label_type = getattr(label_doc, "document_type", doc_type)
    if "label" in getattr(label_type, "_fields", {}):
        return with_field, labels, dataset.count_values(path + ".label")
    return with_field, labels, {}


def cmd_load(fo, args, creds):
    dataset, _ = load_dataset(fo, args.dataset)
    require_run(dataset, args.anno_key)
    info = dataset.get_annotation_info(args.anno_key)
    fields = sorted((info.config.label_schema or {}).keys())
    if load_results(dataset, args.anno_key, creds) is None:
        raise UsageError(
            "annotation run %r of dataset %r has no CVAT tasks (its create step failed); remove "
            "it with `cleanup`" % (args.anno_key, dataset.name)
        )
    print("downloading annotations of run %r from CVAT at %s" % (args.anno_key, creds["url"]),
          file=sys.stderr)
    unexpected = dataset.load_annotations(
        args.anno_key,
        dest_field=args.dest_field,
        unexpected=args.unexpected,
        cleanup=False,
        **creds,
    )
    if isinstance(unexpected, dict) and unexpected:
        print("unexpected labels (not loaded): %s" % ", ".join(sorted(unexpected)))
    for field in fields:
        target = args.dest_field or field
        with_field, labels, classes = _label_counts(fo, dataset, target)
        per_class = ", ".join("%s=%d" % kv for kv in sorted(classes.items(), key=str)) or "-"
        print("%s: %d of %d samples labeled, %d labels (%s)"
              % (target, with_field, len(dataset), labels, per_class))


def cmd_cleanup(fo, args, creds):
    dataset, _ = load_dataset(fo, args.dataset)
    require_run(dataset, args.anno_key)
    results = load_results(dataset, args.anno_key, creds)
    task_ids = list(getattr(results, "task_ids", None) or [])
    if results is not None:
        results.cleanup()
    dataset.delete_annotation_run(args.anno_key)
    print("deleted CVAT tasks: %s" % (" ".join(str(t) for t in task_ids) or "-"))
    print("deleted annotation run %r of dataset %r (its labels stay in the dataset)"
          % (args.anno_key, dataset.name))


def _cvat_hint(e):
    """A plain message for the usual ways CVAT fails, or None."""
    url = os.environ.get("FIFTYONE_CVAT_URL", "").rstrip("/")
    response = getattr(e, "response", None)
    status = getattr(response, "status_code", None)
    req_url = str(getattr(response, "url", "") or "")
    if status == 400 and req_url.endswith("/auth/login"):
        return (
            "CVAT at %s rejected the login (HTTP 400): check CVAT_USERNAME and CVAT_PASSWORD in the "
            "env file, then restart the instance; use the user name, not the e-mail, and note "
            "that accounts made through Google or GitHub have no password" % url
        )
    if status in (401, 403):
        return "CVAT at %s refused the request (HTTP %d on %s)" % (url, status, req_url)
    if type(e).__name__ in ("ConnectionError", "ConnectTimeout", "ReadTimeout", "Timeout"):
        return "cannot reach CVAT at %s (%s); is FIFTYONE_CVAT_URL right and the server up?" % (
            url, type(e).__name__)
    return None


def build_parser():
    parser = argparse.ArgumentParser(
        prog="cvat_annotation_example.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dataset", required=True, help="FiftyOne dataset name")
    common.add_argument("--anno-key", required=True,
                        help="annotation run key (a valid Python identifier)")
    common.add_argument("--traceback", action="store_true",
                        help="show the full Python traceback of an error")

    p = sub.add_parser("create", parents=[common],
                       help="upload samples to CVAT as annotation tasks and print the task ids")
    p.add_argument("--label-field", required=True, help="field to annotate, e.g. ground_truth")
    p.add_argument("--label-type", default="detections", choices=LABEL_TYPES,
                   help="label type of a new field (default: detections)")
    p.add_argument("--classes", help="comma-separated class list, e.g. cat,dog")
    p.add_argument("--from-dir", metavar="DIR",
                   help="when the dataset does not exist, create it from this directory of images")
    p.add_argument("--make-images", action="store_true",
                   help="with --from-dir: first write a few small generated images into DIR "
                   "when it has none (to try the workflow without images at hand)")
    p.add_argument("--task-size", type=int, help="split into tasks of at most this many images")
    p.add_argument("--project-name", help="CVAT project to create the tasks in")
    p.set_defaults(func=cmd_create)

    p = sub.add_parser("load", parents=[common],
                       help="download the annotations of a run into the dataset and print counts")
    p.add_argument("--dest-field", help="load into this field instead of the annotated one")
    p.add_argument("--unexpected", default="keep", choices=["keep", "ignore", "return"],
                   help="labels of a type or field the run did not ask for: keep them in a new "
                   "field, ignore them, or list them (default: keep; FiftyOne's own default "
                   "prompts on stdin)")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("cleanup", parents=[common],
                       help="delete the run's CVAT tasks and the run's record in the dataset")
    p.set_defaults(func=cmd_cleanup)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        # checked before importing fiftyone (slow, and it may prompt for missing credentials)
        creds = cvat_credentials()
        check_database()
        import fiftyone as fo

        args.func(fo, args, creds)
        return 0
    except UsageError as e:
        print("error: %s" % _scrub(str(e)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # one line by default; the traceback with --traceback
        hint = _cvat_hint(e)
        if hint and not args.traceback:
            print("error: %s" % _scrub(hint), file=sys.stderr)
            return 1
        if args.traceback:
            import traceback

            print(_scrub(traceback.format_exc()), file=sys.stderr, end="")
        message = _scrub(str(e)).strip().splitlines()
        print("error: %s: %s%s" % (type(e).__name__, message[0] if message else "",
                                   "" if args.traceback else " (--traceback for details)"),
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
