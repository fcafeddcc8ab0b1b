// Must not compile: the theme renders what it is given and never sees the store (DESIGN.md,
// "Who may include whom"). tests/CMakeLists.txt builds it and expects the include to fail.
#include "store/store.hpp"
