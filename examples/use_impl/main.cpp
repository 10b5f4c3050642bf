// Correctly rounded softmax, cross-entropy and sigmoid from an installed softcheck::impl.
#include <cstdio>
#include <vector>

#include "impl/softcheck.hpp"

int main() {
  const std::vector<double> x{1000, 0, -1000};
  std::vector<double> p(x.size()), grad(x.size());
  softcheck::softmax(x, p);
  const double loss = softcheck::cross_entropy(x, 1, grad);
  const double s = softcheck::sigmoid(2.0);
  std::printf("softmax = [%a, %a, %a]\ncross_entropy(k = 1) = %.17g, grad[1] = %.17g\nsigmoid(2) = %.17g\n", p[0], p[1],
              p[2], loss, grad[1], s);
  // The correctly rounded values (docs/definitions.md's first check: sigma(2) = 0.8807970779778824).
  return p[0] == 1.0 && loss == 1000.0 && grad[1] == -1.0 && s == 0.8807970779778824 ? 0 : 1;
}
