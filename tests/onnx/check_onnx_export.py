#!/usr/bin/python3
"""Exports a small model of every kind gaze trains with `gaze export --random-weights`, then
checks each file with python3-onnx's checker and runs it with OpenCV's dnn module (python3-opencv)
on the sample input gaze wrote, comparing OpenCV's output with gaze's.

    /usr/bin/python3 tests/onnx/check_onnx_export.py GAZE_BINARY REPO_ROOT WORK_DIR

Exit status 0 when every model passes, 1 when one fails, 77 (ctest's SKIP_RETURN_CODE) when
python3-onnx or python3-opencv is missing. The tolerance: max |OpenCV - gaze| <= 1e-4 x the
largest |output| (and 1e-5 absolute for outputs near 0).
"""
import os
import subprocess
import sys

SKIP = 77
TOLERANCE = 1e-4

# name, config, overrides that make the model small and quick.
MODELS = [
    ("resnet", "configs/classification/resnet.yaml", ["model.widths=[8,16]", "model.strides=[1,2]"]),
    ("se_resnet", "configs/classification/se_resnet.yaml", ["model.widths=[16,32]", "model.strides=[1,2]"]),
    ("cbam_resnet", "configs/classification/cbam_resnet.yaml", ["model.widths=[16,32]", "model.strides=[1,2]"]),
    ("bam_resnet", "configs/classification/bam_resnet.yaml", ["model.widths=[16,32]", "model.strides=[1,2]"]),
    ("cbam_resnet_bn_folded", "configs/classification/cbam_resnet.yaml", ["model.widths=[16,32]", "model.strides=[1,2]"]),
    ("coord_attention_resnet", "configs/classification/resnet.yaml",
     ["model.widths=[16,32]", "model.strides=[1,2]", "model.attention={type: coord_attention, reduction: 4}"]),
    ("fcn", "configs/segmentation/fcn.yaml", ["model.widths=[8,8,16,16]", "data.image_size=32", "data.train_size=4",
                                               "data.val_size=2", "data.test_size=2"]),
    ("danet_pam_cam", "configs/segmentation/danet_pam_cam.yaml", ["model.widths=[8,8,16,16]", "data.image_size=32",
                                                                   "data.train_size=4", "data.val_size=2", "data.test_size=2"]),
    ("c2d", "configs/action/c2d.yaml", ["model.widths=[8,16]", "model.strides=[1,2]", "data.train_size=4", "data.val_size=2",
                                        "data.test_size=2"]),
    ("c2d_nonlocal_embedded_gaussian", "configs/action/c2d_nonlocal_embedded_gaussian.yaml",
     ["model.widths=[8,16]", "model.strides=[1,2]", "data.train_size=4", "data.val_size=2", "data.test_size=2"]),
    ("c2d_nonlocal_dot_product", "configs/action/c2d_nonlocal_dot_product.yaml",
     ["model.widths=[8,16]", "model.strides=[1,2]", "data.train_size=4", "data.val_size=2", "data.test_size=2"]),
    ("c2d_nonlocal_gaussian", "configs/action/c2d_nonlocal_gaussian.yaml",
     ["model.widths=[8,16]", "model.strides=[1,2]", "data.train_size=4", "data.val_size=2", "data.test_size=2"]),
    ("c2d_nonlocal_concatenation", "configs/action/c2d_nonlocal_concatenation.yaml",
     ["model.widths=[8,16]", "model.strides=[1,2]", "data.train_size=4", "data.val_size=2", "data.test_size=2"]),
    ("i3d", "configs/action/i3d.yaml", ["model.widths=[8,16]", "model.strides=[1,2]", "data.train_size=4", "data.val_size=2",
                                        "data.test_size=2"]),
    ("tsn_pyramid_attention", "configs/action/tsn_pyramid_attention.yaml",
     ["model.widths=[8,16,16]", "model.strides=[1,2,2]", "data.train_size=4", "data.val_size=2", "data.test_size=2"]),
    ("c3d_nonlocal", "configs/reid/c3d_nonlocal.yaml", ["model.widths=[8,16]", "model.strides=[1,2]"]),
]


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    gaze, root, work = sys.argv[1:]
    try:
        import numpy as np
        import onnx
        import cv2
    except ImportError as e:
        print(f"skipped: {sys.executable} has no module {e.name} "
              "(apt-get install python3-onnx python3-opencv, for Debian's /usr/bin/python3, runs this check)")
        return SKIP
    print(f"onnx {onnx.__version__}, OpenCV {cv2.__version__}")
    os.makedirs(work, exist_ok=True)
    failures = []
    for name, config, sets in MODELS:
        out_dir = os.path.join(work, name)
        path = os.path.join(work, name + ".onnx")
        command = [gaze, "export", os.path.join(root, config), "--random-weights", "7", "--onnx", path, "--sample", out_dir]
        if name.endswith("bn_folded"):
            command.append("--fold-batch-norm")
        for s in sets:
            command += ["--set", s]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(name)
            print(f"{name}: gaze export failed ({run.returncode}): {run.stdout}{run.stderr}")
            continue
        try:
            onnx.checker.check_model(onnx.load(path))
        except Exception as e:  # the checker's own exception types differ between versions
            failures.append(name)
            print(f"{name}: onnx.checker.check_model failed: {e}")
            continue
        x = np.load(os.path.join(out_dir, "input.npy"))
        expected = np.load(os.path.join(out_dir, "output.npy"))
        try:
            net = cv2.dnn.readNetFromONNX(path)
            net.setInput(x)
            got = net.forward()
        except cv2.error as e:
            failures.append(name)
            detail = [line for line in str(e).splitlines() if "error" in line][-1:]
            print(f"{name}: checker ok; OpenCV cannot run it: {' '.join(detail).strip()}")
            continue
        if got.size != expected.size:
            failures.append(name)
            print(f"{name}: checker ok; OpenCV's output has shape {got.shape}, gaze's {expected.shape}")
            continue
        diff = float(np.abs(got.reshape(expected.shape) - expected).max())
        scale = float(np.abs(expected).max())
        ok = diff <= max(TOLERANCE * scale, 1e-5)
        if not ok:
            failures.append(name)
        print(f"{name}: checker ok; OpenCV vs gaze on input {list(x.shape)}: max |difference| {diff:.3g}, "
              f"largest output {scale:.3g}: {'ok' if ok else 'MISMATCH'}")
    if failures:
        print(f"failed: {', '.join(failures)}")
        return 1
    print(f"all {len(MODELS)} models pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
