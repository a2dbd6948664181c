-- Conformance cases known to fail, per dialect: ["<case-id>"] = "reason", and
-- ["ddl/<name>"] = "reason" for a DDL schema. spec/conformance_spec.lua still
-- runs them: a failure is reported as pending (skipped), a pass FAILS the spec
-- ("case X passes now: remove it from spec/conformance_pending.lua").
return {
  sqlite = {},
  pg = {},
  mysql = {},
}
