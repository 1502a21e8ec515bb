{
  "targets": [
    {
      "target_name": "brig",
      "sources": ["native/addon.c", "native/spawn.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2", "-fno-stack-protector"],
      "cflags!": ["-fno-exceptions"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "brig-init",
      "type": "executable",
      "sources": ["native/init.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Os"],
      "ldflags": ["-static"]
    }
  ]
}
