#include "backends/cuda/cublas_library.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <string>

#include "framework/error.h"

namespace gaze::cuda {

namespace {

void* open_cublas() {
  const std::string soname = fmt::format("libcublas.so.{}", CUBLAS_VER_MAJOR);
  const std::string beside_toolkit = std::string(GAZE_CUBLAS_DIR) + "/" + soname;
  if (void* handle = dlopen(beside_toolkit.c_str(), RTLD_NOW | RTLD_LOCAL)) return handle;
  if (void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL)) return handle;
  const char* why = dlerror();
  fail("cuBLAS: cannot load {} (looked in {} and on the loader's path: {}); install the CUDA toolkit's cuBLAS there or "
       "add its directory to LD_LIBRARY_PATH",
       soname, GAZE_CUBLAS_DIR, why ? why : "not found");
}

template <typename Function>
void resolve(void* library, Function& out, const char* name) {
  out = reinterpret_cast<Function>(dlsym(library, name));
  if (out == nullptr)
    fail("cuBLAS: the loaded library has no {}; it is older than the cuBLAS {} headers gaze was built with", name,
         CUBLAS_VER_MAJOR);
}

// The symbol's name after cublas_v2.h's macros (cublasCreate -> "cublasCreate_v2").
#define GAZE_CUBLAS_SYMBOL_NAME(function) GAZE_CUBLAS_STRINGIZE(function)
#define GAZE_CUBLAS_STRINGIZE(name) #name

CublasLibrary load_cublas() {
  void* library = open_cublas();
  CublasLibrary cublas{};
  resolve(library, cublas.create, GAZE_CUBLAS_SYMBOL_NAME(cublasCreate));
  resolve(library, cublas.destroy, GAZE_CUBLAS_SYMBOL_NAME(cublasDestroy));
  resolve(library, cublas.set_stream, GAZE_CUBLAS_SYMBOL_NAME(cublasSetStream));
  resolve(library, cublas.set_pointer_mode, GAZE_CUBLAS_SYMBOL_NAME(cublasSetPointerMode));
  resolve(library, cublas.set_math_mode, GAZE_CUBLAS_SYMBOL_NAME(cublasSetMathMode));
  resolve(library, cublas.sgemm_strided_batched, GAZE_CUBLAS_SYMBOL_NAME(cublasSgemmStridedBatched));
  resolve(library, cublas.dgemm_strided_batched, GAZE_CUBLAS_SYMBOL_NAME(cublasDgemmStridedBatched));
  resolve(library, cublas.get_property, GAZE_CUBLAS_SYMBOL_NAME(cublasGetProperty));
  resolve(library, cublas.status_name, GAZE_CUBLAS_SYMBOL_NAME(cublasGetStatusName));
  resolve(library, cublas.status_string, GAZE_CUBLAS_SYMBOL_NAME(cublasGetStatusString));
  return cublas;  // the library stays open until the process ends
}

}  // namespace

const CublasLibrary& cublas_library() {
  static const CublasLibrary cublas = load_cublas();
  return cublas;
}

}  // namespace gaze::cuda
