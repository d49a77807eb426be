use super::*;

#[tokio::test]
async fn a_line_carries_schema_time_request_id_and_only_the_fields_set() {
    let mem = MemorySink::default();
    let audit = Audit::new(Arc::new(mem.clone()));
    let ev = AuditEvent::new(EventKind::CodeIssued)
        .client("demo")
        .method("eid")
        .level("high")
        .subject("abc");
    with_request_id("req-1".into(), async { audit.emit(1_767_225_600, ev) }).await;
    audit.emit(0, AuditEvent::new(EventKind::SessionExpired).client("demo"));
    let lines = mem.lines();
    let v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(v["audit"], 1);
    assert_eq!(v["time"], "2026-01-01T00:00:00Z");
    assert_eq!(v["request_id"], "req-1");
    assert_eq!(v["event"], "code_issued");
    assert_eq!(v["sub"], "abc");
    assert!(v.get("reason").is_none());
    let v: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert!(v.get("request_id").is_none() && v.get("sub").is_none(), "{v}");
}

#[test]
fn the_file_sink_reopens_after_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let sink = FileSink::open(&path).unwrap();
    sink.write_line("one");
    std::fs::rename(&path, dir.path().join("audit.log.1")).unwrap();
    sink.write_line("two");
    sink.reopen();
    sink.write_line("three");
    assert_eq!(std::fs::read_to_string(dir.path().join("audit.log.1")).unwrap(), "one\ntwo\n");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "three\n");
}
