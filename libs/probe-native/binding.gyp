{
  "targets": [
    {
      "target_name": "fleetqry_probe_native",
      "sources": ["src/addon.c", "src/scan_core.c", "src/syn_transport.c", "src/connect_transport.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources!": ["src/addon.c", "src/scan_core.c", "src/syn_transport.c", "src/connect_transport.c"] }]
      ]
    }
  ]
}
