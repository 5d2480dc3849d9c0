{
  "targets": [
    {
      "target_name": "fleetqry_probe_native",
      "sources": ["src/syn_scan.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "conditions": [
        ["OS!='linux'", { "type": "none", "sources!": ["src/syn_scan.c"] }]
      ]
    }
  ]
}
