// PyTorch's rows of impl_bench: what a PyTorch user pays for the same results on double tensors, one
// intra-op thread. Inputs are tensors made once (from the same seeded data as ours); outputs go to
// preallocated tensors through the _out forms where PyTorch has them, as ours write into a given span.
// Gradients come from autograd on a leaf made once, its .grad reset each iteration, as a training step does.
#include <torch/torch.h>

#include "impl/bench/subjects.hpp"

namespace softcheck::bench {

void register_torch() {
  torch::set_num_threads(1);
  for (Case c : kCases) {
    for (std::size_t n : sizes(c)) {
      benchmark::RegisterBenchmark(name(c, "torch", n).c_str(), [c, n](benchmark::State& state) {
        Data d = data(c, n);
        const auto len = static_cast<std::int64_t>(n);
        auto opts = torch::TensorOptions().dtype(torch::kFloat64);
        torch::Tensor x = torch::from_blob(d.x.data(), {len}, opts).clone(), y = torch::empty({len}, opts);
        torch::Tensor t = d.t.empty() ? torch::Tensor() : torch::from_blob(d.t.data(), {len}, opts).clone();
        torch::Tensor leaf = x.reshape({1, len}).clone().set_requires_grad(true);
        torch::Tensor cls = torch::full({1}, static_cast<std::int64_t>(d.k), torch::kLong);
        torch::Tensor xb = x.clone().set_requires_grad(true);
        // backward passes: the forward's output (ours, correctly rounded), g, and the forward's buffer
        torch::Tensor yt = d.y.empty() ? torch::Tensor() : torch::from_blob(d.y.data(), {len}, opts).clone();
        torch::Tensor gt = d.g.empty() ? torch::Tensor() : torch::from_blob(d.g.data(), {len}, opts).clone();
        torch::Tensor fwd = torch::empty({len}, opts);
        for (auto _ : state) {
          switch (c) {
            case Case::kSoftmax: {
              torch::NoGradGuard g;
              torch::_softmax_out(y, x, 0, false);
              break;
            }
            case Case::kLogSoftmax: {
              torch::NoGradGuard g;
              torch::_log_softmax_out(y, x, 0, false);
              break;
            }
            case Case::kLogsumexp: {
              torch::NoGradGuard g;
              benchmark::DoNotOptimize(torch::logsumexp(x, 0).item<double>());
              break;
            }
            case Case::kCrossEntropy:
            case Case::kCrossEntropyDist: {
              leaf.mutable_grad() = torch::Tensor();
              torch::Tensor loss = c == Case::kCrossEntropy
                                       ? torch::nn::functional::cross_entropy(leaf, cls)
                                       : torch::nn::functional::cross_entropy(leaf, t.reshape({1, len}));
              loss.backward();
              benchmark::DoNotOptimize(loss.item<double>());
              benchmark::DoNotOptimize(leaf.grad().data_ptr());
              break;
            }
            case Case::kSigmoid: {
              torch::NoGradGuard g;
              torch::sigmoid_out(y, x);
              break;
            }
            case Case::kLogSigmoid: {
              torch::NoGradGuard g;
              torch::log_sigmoid_out(y, x);
              break;
            }
            case Case::kSigmoidBackward: {
              torch::NoGradGuard g;
              torch::sigmoid_backward_out(y, gt, yt);
              break;
            }
            case Case::kSoftmaxBackward: {
              torch::NoGradGuard g;
              torch::_softmax_backward_data_out(y, gt, yt, 0, torch::kFloat64);
              break;
            }
            case Case::kLogSoftmaxBackward: {
              torch::NoGradGuard g;
              torch::_log_softmax_backward_data_out(y, gt, yt, 0, torch::kFloat64);
              break;
            }
            case Case::kSoftmaxVjp:
            case Case::kSoftmaxVjpMasked:
            case Case::kLogSoftmaxVjp:
            case Case::kLogSoftmaxVjpMasked: {  // what autograd runs: the forward at x, then its backward kernel
              torch::NoGradGuard g;
              if (c == Case::kSoftmaxVjp || c == Case::kSoftmaxVjpMasked) {
                torch::_softmax_out(fwd, x, 0, false);
                torch::_softmax_backward_data_out(y, gt, fwd, 0, torch::kFloat64);
              } else {
                torch::_log_softmax_out(fwd, x, 0, false);
                torch::_log_softmax_backward_data_out(y, gt, fwd, 0, torch::kFloat64);
              }
              break;
            }
            case Case::kBce: {  // per element losses and gradients
              xb.mutable_grad() = torch::Tensor();
              torch::Tensor loss = torch::binary_cross_entropy_with_logits(xb, t, {}, {}, at::Reduction::None);
              loss.backward(torch::ones_like(loss));
              benchmark::DoNotOptimize(loss.data_ptr());
              benchmark::DoNotOptimize(xb.grad().data_ptr());
              break;
            }
          }
          benchmark::DoNotOptimize(y.data_ptr());
        }
        per_element(state, n);
      });
    }
  }
}

}  // namespace softcheck::bench
