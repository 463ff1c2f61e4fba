#!/usr/bin/env bash
# clnn on the GPU machine's CPU (PoCL) beside ONNX Runtime, before and after a change, same run
# (issue "CPU: beat ONNX Runtime"; BENCHMARKS.md). Pack first (../shared/tools/device-pack: the "after"
# jars in .device/lib) and copy the clnn-*.jar of the commit to compare against into .device/before.
# Then, from the repository root there, with carry [".device"]:
#   bash scripts/device/cpu-ort.sh export       # ONNX files of the issue's networks, ORT latency
#   bash scripts/device/cpu-ort.sh run [K/N]    # clnn before and after on PoCL, interleaved per network
#   bash scripts/device/cpu-ort.sh table        # one Markdown table from both steps
# The networks are torchvision's (random weights, TorchScript exporter, opset 17, dynamic batch) and
# timm's mobilenetv1_100 for MobileNet v1. Latency at batch 1: ONNX Runtime (CPU provider, default
# options, every core) the median of 50 runs after 10; clnn the mean per example of `bench --model
# --examples 64` after its 32-example warm-up. Throughput at batch 16 for the networks in BATCH16.
# Results go to cpu-ort/ (git-ignored) and to $OUT when set. Environment: ONLY (comma-separated), ROUNDS
# (before/after pairs per network and batch, default 2).
set -u
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
source .device/env.sh
export LD_PRELOAD="$JAVA_HOME/lib/libjsig.so" CLNN_PROGRESS=lines
dir=cpu-ort
mkdir -p "$dir"
NETS=${ONLY:-mobilenet_v1,mobilenet_v2,resnet18,resnet50,resnext50_32x4d,densenet121,efficientnet_b0,mobilenet_v3_large,regnet_y_400mf}
BATCH16=mobilenet_v2,resnet18
AFTER="$CLASSPATH"
source scripts/device/classpath.sh
BEFORE=$(clnn_jars_classpath "$PWD"/.device/before)
clnn() {  # which net batch -> "latency_ms throughput"
  local cp=$AFTER; [ "$1" = before ] && cp=$BEFORE
  local ex=64; [ "$3" != 1 ] && ex=256
  timeout 240 java -cp "$cp" dev.clnn.cli.Main bench --model "$dir/$2.onnx" --device cpu --batch-size "$3" \
    --examples $ex 2>&1 | grep -E 'latency|Correctness|rror' | tr -s ' ' | tr '\n' ' '
}
case "${1:-}" in
  export)
    lscpu | grep -E 'Model name|^CPU\(s\)'
    python3 - "$dir" "$NETS" "$BATCH16" <<'PY'
import sys, time, json, numpy as np, torch, torchvision, onnxruntime as ort
out, nets, b16 = sys.argv[1], sys.argv[2].split(","), set(sys.argv[3].split(","))
torch.manual_seed(0)
res = {}
for name in nets:
    if name == "mobilenet_v1":
        import timm
        m = timm.create_model("mobilenetv1_100", pretrained=False)
    else:
        m = getattr(torchvision.models, name)()
    m.eval()
    x = torch.randn(1, 3, 224, 224)
    path = f"{out}/{name}.onnx"
    torch.onnx.export(m, x, path, opset_version=17, dynamo=False, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    r = {}
    for bs in ([1, 16] if name in b16 else [1]):
        xb = np.random.rand(bs, 3, 224, 224).astype(np.float32)
        for _ in range(10): s.run(None, {"input": xb})
        t = []
        for _ in range(50 if bs == 1 else 10):
            t0 = time.perf_counter(); s.run(None, {"input": xb}); t.append(time.perf_counter() - t0)
        r[bs] = float(np.median(t)) * 1e3
        print(f"ort {name} batch {bs}: {r[bs]:.3f} ms per batch", flush=True)
    res[name] = r
json.dump(res, open(f"{out}/ort.json", "w"))
PY
    ;;
  run)
    shard=${2:-1/1}; k=${shard%/*}; n=${shard#*/}; i=0
    for net in ${NETS//,/ }; do
      i=$((i + 1)); [ $(( (i - 1) % n + 1 )) = "$k" ] || continue
      for bs in 1 16; do
        [ $bs = 16 ] && [[ ",$BATCH16," != *",$net,"* ]] && continue
        for _ in $(seq "${ROUNDS:-2}"); do
          for which in before after; do
            line="clnn $which $net batch $bs: $(clnn $which $net $bs)"
            echo "$line" >> "$dir/clnn.txt"; [ -n "${OUT:-}" ] && echo "$line" >> "$OUT/clnn.txt"; echo "$line"
          done
        done
      done
    done
    ;;
  table)
    python3 - "$dir" <<'PY'
import sys, re, json, collections
d = sys.argv[1]
ort = json.load(open(f"{d}/ort.json"))
runs = collections.defaultdict(list)
for line in open(f"{d}/clnn.txt"):
    m = re.match(r"clnn (\w+) (\S+) batch (\d+): .*latency ([\d.]+) ms", line)
    if m: runs[(m.group(2), int(m.group(3)), m.group(1))].append(float(m.group(4)))
print("| network | batch | ORT ms/batch | clnn before ms/batch | clnn after ms/batch | before / ORT | after / ORT |")
print("|---|---|---|---|---|---|---|")
for net, r in ort.items():
    for bs, o in r.items():
        b = [v * int(bs) for v in runs.get((net, int(bs), "before"), [])]
        a = [v * int(bs) for v in runs.get((net, int(bs), "after"), [])]
        f = lambda v: " / ".join(f"{x:.2f}" for x in v) or "-"
        q = lambda v: f"{min(v) / o:.2f}" if v else "-"
        print(f"| {net} | {bs} | {o:.2f} | {f(b)} | {f(a)} | {q(b)} | {q(a)} |")
PY
    ;;
  *) echo "usage: $0 export | run [K/N] | table" >&2; exit 2 ;;
esac
if [ -n "${OUT:-}" ]; then cp "$dir"/*.txt "$dir"/*.json "$OUT"/ 2>/dev/null; fi
true
