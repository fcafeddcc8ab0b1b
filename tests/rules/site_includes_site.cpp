// Must compile: the control of the rule checks, so that they fail for the include alone.
#include "site/site.hpp"
