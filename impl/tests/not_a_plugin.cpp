// A shared library that exports something, but not the softcheck plugin ABI (for the loader's tests).
extern "C" __attribute__((visibility("default"))) int not_softcheck(void) { return 42; }
