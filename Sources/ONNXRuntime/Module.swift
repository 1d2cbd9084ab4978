// ONNXRuntime: module under construction.
