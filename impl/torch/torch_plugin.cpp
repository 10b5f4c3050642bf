// PyTorch (libtorch, double tensors on the CPU) exported through the plugin C ABI, as the comparison
// subject `torch`: the kernels a PyTorch user calls, gradients by autograd.
#include <softcheck/plugin.h>
#include <torch/torch.h>

#include <cstring>

namespace {

torch::Tensor view(const double* x, size_t n) {  // non-owning, read only
  return torch::from_blob(const_cast<double*>(x), {static_cast<int64_t>(n)}, torch::kFloat64);
}
void copy_out(const torch::Tensor& t, double* y, size_t n) {
  torch::Tensor c = t.contiguous();
  std::memcpy(y, c.data_ptr<double>(), n * sizeof(double));
}
// One intra-op thread: softcheck parallelizes over samples itself, and results stay reproducible.
const bool kOneThread = [] {
  torch::set_num_threads(1);
  return true;
}();

}  // namespace

extern "C" {

int softcheck_plugin_abi(void) { return SOFTCHECK_PLUGIN_ABI + (kOneThread ? 0 : 0); }
const char* softcheck_plugin_name(void) { return "torch"; }

void softcheck_sigmoid(const double* x, size_t n, double* y) {
  torch::NoGradGuard g;
  copy_out(torch::sigmoid(view(x, n)), y, n);
}
void softcheck_log_sigmoid(const double* x, size_t n, double* y) {
  torch::NoGradGuard g;
  copy_out(torch::log_sigmoid(view(x, n)), y, n);
}
// The derivative as a PyTorch user gets it: autograd through torch.sigmoid (sigmoid_backward from y).
void softcheck_sigmoid_derivative(const double* x, size_t n, double* y) {
  torch::Tensor in = view(x, n).clone().set_requires_grad(true);
  torch::sigmoid(in).backward(torch::ones({static_cast<int64_t>(n)}, torch::kFloat64));
  copy_out(in.grad(), y, n);
}
void softcheck_sigmoid_backward(const double* y, const double* g, size_t n, double* out) {
  torch::NoGradGuard ng;
  copy_out(at::sigmoid_backward(view(g, n), view(y, n)), out, n);
}
void softcheck_softmax(const double* x, size_t n, double* y) {
  torch::NoGradGuard g;
  copy_out(torch::softmax(view(x, n), 0), y, n);
}
void softcheck_log_softmax(const double* x, size_t n, double* y) {
  torch::NoGradGuard g;
  copy_out(torch::log_softmax(view(x, n), 0), y, n);
}
// What autograd runs for softmax and log_softmax (their backward kernels, from the forward's output).
void softcheck_softmax_backward(const double* y, const double* g, size_t n, double* out) {
  torch::NoGradGuard ng;
  copy_out(at::_softmax_backward_data(view(g, n), view(y, n), 0, torch::kFloat64), out, n);
}
void softcheck_log_softmax_backward(const double* y, const double* g, size_t n, double* out) {
  torch::NoGradGuard ng;
  copy_out(at::_log_softmax_backward_data(view(g, n), view(y, n), 0, torch::kFloat64), out, n);
}
// The input forms as a PyTorch user gets them: autograd through torch.softmax / torch.log_softmax with
// grad_outputs g.
void softcheck_softmax_vjp(const double* x, const double* g, size_t n, double* out) {
  torch::Tensor in = view(x, n).clone().set_requires_grad(true);
  torch::softmax(in, 0).backward(view(g, n).clone());
  copy_out(in.grad(), out, n);
}
void softcheck_log_softmax_vjp(const double* x, const double* g, size_t n, double* out) {
  torch::Tensor in = view(x, n).clone().set_requires_grad(true);
  torch::log_softmax(in, 0).backward(view(g, n).clone());
  copy_out(in.grad(), out, n);
}
double softcheck_logsumexp(const double* x, size_t n) {
  torch::NoGradGuard g;
  return torch::logsumexp(view(x, n), 0).item<double>();
}

double softcheck_cross_entropy(const double* x, size_t n, size_t target, double* grad) {
  torch::Tensor in = view(x, n).clone().reshape({1, static_cast<int64_t>(n)}).set_requires_grad(grad != nullptr);
  torch::Tensor tg = torch::full({1}, static_cast<int64_t>(target), torch::kLong);
  torch::Tensor loss = torch::nn::functional::cross_entropy(in, tg);
  if (grad) {
    loss.backward();
    copy_out(in.grad().reshape({static_cast<int64_t>(n)}), grad, n);
  }
  return loss.item<double>();
}

double softcheck_cross_entropy_dist(const double* x, const double* t, size_t n, double* grad) {
  auto shape = std::vector<int64_t>{1, static_cast<int64_t>(n)};
  torch::Tensor in = view(x, n).clone().reshape(shape).set_requires_grad(grad != nullptr);
  torch::Tensor tg = view(t, n).clone().reshape(shape);
  torch::Tensor loss = torch::nn::functional::cross_entropy(in, tg);
  if (grad) {
    loss.backward();
    copy_out(in.grad().reshape({static_cast<int64_t>(n)}), grad, n);
  }
  return loss.item<double>();
}

double softcheck_bce_with_logits(double x, double t, double* grad) {
  torch::Tensor in = torch::full({1}, x, torch::kFloat64).set_requires_grad(grad != nullptr);
  torch::Tensor tg = torch::full({1}, t, torch::kFloat64);
  torch::Tensor loss = torch::binary_cross_entropy_with_logits(in, tg);
  if (grad) {
    loss.backward();
    *grad = in.grad().item<double>();
  }
  return loss.item<double>();
}

}  // extern "C"
