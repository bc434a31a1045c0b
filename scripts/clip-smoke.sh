#!/usr/bin/env bash
# Check that the pinned torch/torchvision/open_clip trio from .ci/constraints.txt installs and runs
# on CPU, in its own venv (default .venv-clip) so the main .venv stays small.
#
#   scripts/clip-smoke.sh            # create/update .venv-clip, then run the smoke test
#   CLIP_VENV=/tmp/v scripts/clip-smoke.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv="${CLIP_VENV:-.venv-clip}"
python="${PYTHON:-python3}"
constraints=.ci/constraints.txt
stamp="$venv/.clip-smoke.stamp"

if [[ ! -x "$venv/bin/python" ]]; then
  echo "clip-smoke: creating $venv" >&2
  "$python" -m venv "$venv"
fi
if [[ ! -f "$stamp" || "$constraints" -nt "$stamp" ]]; then
  echo "clip-smoke: installing torch, torchvision, open_clip_torch (pinned in $constraints)" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$constraints" torch torchvision open_clip_torch
  touch "$stamp"
fi

"$venv/bin/python" - <<'PY'
import torch
import torchvision
import open_clip

# The failure this guards against: a torchvision build whose compiled ops do not load against the
# installed torch (ops.nms raises "operator torchvision::nms does not exist").
boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [50.0, 50.0, 60.0, 60.0]])
scores = torch.tensor([0.9, 0.8, 0.7])
keep = torchvision.ops.nms(boxes, scores, iou_threshold=0.5)
assert keep.tolist() == [0, 2], keep

# open_clip builds a model from its bundled config and tokenizer without downloading weights.
torch.manual_seed(0)
model = open_clip.create_model("ViT-B-32", pretrained=None, device="cpu").eval()
tokenizer = open_clip.get_tokenizer("ViT-B-32")
with torch.no_grad():
    image_features = model.encode_image(torch.rand(1, 3, 224, 224))
    text_features = model.encode_text(tokenizer(["a red circle"]))
assert image_features.shape == text_features.shape == (1, 512), (image_features.shape,)
print(
    f"clip-smoke: ok: torch {torch.__version__}, torchvision {torchvision.__version__}, "
    f"open_clip {open_clip.__version__}, cuda available: {torch.cuda.is_available()}"
)
PY
