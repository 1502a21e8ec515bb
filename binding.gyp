{
  "targets": [
    {
      "target_name": "brig_child",
      "type": "static_library",
      "sources": ["native/child.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2", "-fPIC", "-ffreestanding", "-fno-builtin",
                 "-fno-tree-loop-distribute-patterns", "-fno-stack-protector"]
    },
    {
      "target_name": "brig",
      "sources": ["native/addon.c", "native/spawn.c"],
      "dependencies": ["brig_child"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "ldflags": ["-Wl,-z,now"],
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
