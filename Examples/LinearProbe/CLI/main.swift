import Foundation
import LinearProbe

// linear-probe: train a linear classifier on InternViT's pooled features of a labelled
// image folder, report held-out accuracy, and predict new images (Docs/Training.md).
let help = """
    usage: linear-probe train DATA_DIR --model DIR|random|random-tiny --output PROBE_DIR [options]
           linear-probe train --features FEATURES.safetensors --output PROBE_DIR [options]
           linear-probe predict PROBE_DIR IMAGE|DIR... --model DIR|random|random-tiny [--output FILE.csv] [--labels FILE]
           linear-probe predict PROBE_DIR --features FEATURES.safetensors [--output FILE.csv] [--labels FILE]
           linear-probe digits-folder --data digits.csv.gz --output DATA_DIR [--per-class N] [--scale S]

    train     DATA_DIR has one subfolder per class (DATA_DIR/CLASS/IMAGE). Its images are
              embedded with the batch embedding (`internvit embed --output-dir --pooled`,
              then `internvit merge`) into PROBE_DIR/features.safetensors (+ .paths.txt);
              --features trains on such a file instead (class = first folder of each path).
              A seeded stratified split holds out a share of every class; features are
              standardised; softmax regression with an L2 penalty is fitted by L-BFGS.
              Prints train and held-out accuracy, per class, and the held-out confusion
              matrix; writes PROBE_DIR/probe.safetensors, probe.json and report.txt.
      --held-out F       share of each class held out (default 0.2)
      --seed S           seed of the split (default 0)
      --l2 L             L2 penalty on the weights (default 0.001)
    predict   prints (or writes as CSV) `path,class,probability` for each image.
      --labels FILE      lines `PATH,CLASS` (PATH as printed); prints accuracy and the
                         confusion matrix against them
    digits-folder  writes scikit-learn's 8x8 digits (Scripts/fetch_digits.sh) as upscaled
              PNGs, DATA_DIR/0 … DATA_DIR/9: a small labelled folder for a demo.
      --per-class N      images per digit (default 60); --scale S: pixels per cell (default 8)

    --model DIR          Hugging Face InternViT checkpoint directory; `random` is
                         InternViT-300M-448px and `random-tiny` the tiny configuration,
                         both with seeded random weights (for trying the pipeline only)
    --threads N          compute threads (default: all cores)
    """

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    guard let command = arguments.first, !["-h", "--help", "help"].contains(command) else {
        console.out(help)
        exit(console.writeFailure() != nil ? 1 : arguments.isEmpty ? 2 : 0)
    }
    let options = try CommandOptions(Array(arguments.dropFirst()))
    switch command {
    case "train": try TrainCommand.run(options)
    case "predict": try PredictCommand.run(options)
    case "digits-folder": try DigitsFolder.run(options)
    default: throw UsageError("unknown command '\(command)'")
    }
} catch let error as UsageError {
    console.err("linear-probe: \(error.message)\n\n\(help)")
    exit(2)
} catch {
    console.err("linear-probe: \(error)")
    exit(1)
}
// The results did not all reach stdout/stderr (a full disk, a closed pipe): not a success.
if console.writeFailure() != nil { exit(1) }
