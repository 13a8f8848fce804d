// Every differentiable op, in one include: what a layer author needs.
#pragma once
#include "autograd/conv.h"
#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/linalg.h"
#include "autograd/loss.h"
#include "autograd/norm.h"
#include "autograd/pool.h"
#include "autograd/reduce.h"
#include "autograd/resample.h"
#include "autograd/shape_ops.h"
#include "autograd/softmax.h"
