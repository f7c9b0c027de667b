print("tensor-bench: coming with the GEMM issue")
