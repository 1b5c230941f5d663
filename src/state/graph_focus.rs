//! The part of a service graph the user focused on: one node's neighbourhood (callers and callees
//! to a chosen depth, as Jaeger's deep dependency graph shows it), as a graph of its own so it gets
//! its own, compact layout.

use spanlens_analysis::service_graph::ServiceGraph;

/// The subgraph of `graph` around node `name` within `depth` hops; `None` when there is no such node.
/// Node and edge order follow the full graph's, so colours and layouts stay stable.
pub fn neighbourhood_graph(graph: &ServiceGraph, name: &str, depth: u32) -> Option<ServiceGraph> {
    let node = graph.node_index(name)?;
    Some(graph.restricted_to(&graph.neighbourhood(node, depth)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use spanlens_analysis::service_graph::{Rules, build_service_graph};
    use spanlens_analysis::test_util::{build, s, trace};

    #[test]
    fn focuses_callers_and_callees_to_a_depth() {
        // web → api → db-svc → cache; and admin → api.
        let set = build(&[
            s(1, 0, 0, 100).svc("web").name("GET /"),
            s(2, 1, 10, 80).svc("api").name("handle"),
            s(3, 2, 20, 50).svc("db-svc").name("query"),
            s(4, 3, 30, 10).svc("cache").name("get"),
        ]);
        let other =
            build(&[s(1, 0, 0, 100).svc("admin").name("GET /admin"), s(2, 1, 10, 80).svc("api").name("handle")]);
        let graph = build_service_graph([(&set, trace(&set)), (&other, trace(&other))], Rules::Viewer);
        assert!(graph.nodes.len() >= 5, "{:?}", graph.nodes);
        let near = neighbourhood_graph(&graph, "api", 1).unwrap();
        let names: Vec<&str> = near.nodes.iter().map(|n| n.name.as_str()).collect();
        assert!(names.contains(&"web") && names.contains(&"admin") && names.contains(&"db-svc"), "{names:?}");
        assert!(!names.contains(&"cache"), "two hops away: {names:?}");
        assert!(
            near.edges.iter().all(|e| (e.source as usize) < near.nodes.len() && (e.target as usize) < near.nodes.len())
        );
        let far = neighbourhood_graph(&graph, "api", 2).unwrap();
        assert!(far.nodes.iter().any(|n| n.name == "cache"));
        assert!(neighbourhood_graph(&graph, "nobody", 1).is_none());
    }
}
