{
  "targets": [
    {
      "target_name": "bigsync_native",
      "sources": ["native/bigsync_native.c"],
      "defines": ["NAPI_VERSION=8", "_FILE_OFFSET_BITS=64"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
