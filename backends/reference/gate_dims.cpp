#include "backends/reference/gate_dims.h"

#include "framework/error.h"

namespace gaze::reference {

GateDims gate_dims(const char* who, const KernelArg& x, const KernelArg& small) {
  if (x.dim() != 3 || !x.is_contiguous())
    fail("{}: x must be a contiguous [N,C,L] array, got shape {}", who, shape_str(x.shape));
  if (!is_floating(x.dtype) || small.dtype != x.dtype)
    fail("{}: x and the gate need one floating dtype, got {} and {}", who, dtype_name(x.dtype), dtype_name(small.dtype));
  GateDims d{x.shape[0], x.shape[1], x.shape[2], true};
  if (small.shape == Shape{d.batch, d.channels, 1}) return d;
  if (small.shape == Shape{d.batch, 1, d.length}) {
    d.per_channel = false;
    return d;
  }
  fail("{}: the gate must be [N,C,1] = [{},{},1] or [N,1,L] = [{},1,{}] for x {}, got {}", who, d.batch, d.channels,
       d.batch, d.length, shape_str(x.shape), shape_str(small.shape));
}

void check_like(const char* who, const char* name, const KernelArg& arg, const KernelArg& like, bool contiguous) {
  if (arg.shape != like.shape || arg.dtype != like.dtype)
    fail("{}: {} must be {} {}, got {} {}", who, name, dtype_name(like.dtype), shape_str(like.shape), dtype_name(arg.dtype),
         shape_str(arg.shape));
  if (contiguous && !arg.is_contiguous()) fail("{}: {} must be contiguous", who, name);
}

}  // namespace gaze::reference
