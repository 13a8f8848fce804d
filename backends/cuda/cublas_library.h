// cuBLAS, opened when first used instead of linked. Loading libcublasLt.so (over 500 MB) runs its
// initializers in every process linked to it, about half a second before main: every gaze command
// and every test that starts one paid it, with or without a GPU. Only the CUDA backend's matmul
// and `gaze info` use cuBLAS, through these pointers.
#pragma once
#include <cublas_v2.h>

namespace gaze::cuda {

// The functions gaze calls. The names with _v2 in the library (cublasCreate_v2, ...) are those
// cublas_v2.h's macros give the plain names, so each pointer has the type of the function a
// linked program would call.
struct CublasLibrary {
  decltype(&cublasCreate) create;
  decltype(&cublasDestroy) destroy;
  decltype(&cublasSetStream) set_stream;
  decltype(&cublasSetPointerMode) set_pointer_mode;
  decltype(&cublasSetMathMode) set_math_mode;
  decltype(&cublasSgemmStridedBatched) sgemm_strided_batched;
  decltype(&cublasDgemmStridedBatched) dgemm_strided_batched;
  decltype(&cublasGetProperty) get_property;
  decltype(&cublasGetStatusName) status_name;
  decltype(&cublasGetStatusString) status_string;
};

// Opens libcublas.so.<major> once (first beside the toolkit the build found, then on the loader's
// path) and resolves every function; a missing library or function is one gaze::Error naming it.
const CublasLibrary& cublas_library();

}  // namespace gaze::cuda
