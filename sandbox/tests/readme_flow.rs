//! The README's whole 服务商 flow is this example's `run`, compiled and run here against the
//! sandbox; and the README shows it exactly as the example has it.

#[path = "../examples/partner_flow.rs"]
mod partner_flow;

const START: &str = "// README-FLOW-START\n";
const END: &str = "// README-FLOW-END\n";

#[tokio::test]
async fn the_readme_flow_runs_to_a_used_coupon() {
    // A guard against a hang only (a notification never answered): the flow takes well under a
    // second; if it ever stops, the test fails instead of blocking the suite.
    let run = tokio::time::timeout(std::time::Duration::from_secs(120), partner_flow::run());
    let used = run.await.expect("the flow finished").expect("the flow runs against the sandbox");
    assert_eq!(used.coupon_state.as_str(), "USED");
}

#[test]
fn the_readme_shows_the_flow_as_the_example_has_it() {
    let example = include_str!("../examples/partner_flow.rs");
    let readme = include_str!("../../README.md");
    let start = example.find(START).expect("the example marks the flow's start") + START.len();
    let end = example.find(END).expect("the example marks the flow's end");
    let flow = &example[start..end];
    let block = format!("```rust,ignore\n{flow}```\n");
    assert!(
        readme.contains(&block),
        "README.md must show sandbox/examples/partner_flow.rs between {START:?} and {END:?} verbatim, in a \
         ```rust,ignore block; update it with the example's text:\n{block}"
    );
}
