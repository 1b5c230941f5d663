//! The fixed vocabulary of the synthetic generator (services, routes, queries, errors), interned
//! once per generated set so the hot loop never hashes a string.

use spanlens_model::span::{Resource, ResourceIdx, Scope, ScopeIdx};
use spanlens_model::value::{AnyValue, Attribute};
use spanlens_model::{Sym, TraceSetBuilder};

const SERVICES: [&str; 30] = [
    "frontend",
    "api-gateway",
    "checkout",
    "payments",
    "cart",
    "catalog",
    "inventory",
    "shipping",
    "recommendation",
    "ad",
    "currency",
    "email",
    "auth",
    "user-profile",
    "search",
    "pricing",
    "tax",
    "fraud-detection",
    "notification",
    "orders",
    "warehouse",
    "loyalty",
    "reviews",
    "media",
    "session",
    "feature-flags",
    "quote",
    "accounting",
    "geo",
    "audit",
];
const LANGUAGES: [&str; 5] = ["go", "java", "nodejs", "python", "dotnet"];
const HTTP_METHODS: [&str; 4] = ["GET", "GET", "POST", "PUT"];
const ROUTES: [&str; 10] = [
    "/api/cart",
    "/api/checkout",
    "/api/products/{id}",
    "/api/users/{id}",
    "/api/orders",
    "/api/search",
    "/api/recommendations",
    "/api/shipping/quote",
    "/api/payments/charge",
    "/health",
];
const DB: [(&str, &str, &str); 6] = [
    ("postgresql", "SELECT", "SELECT id, name, price FROM products WHERE id = $1"),
    ("postgresql", "INSERT", "INSERT INTO orders (user_id, total) VALUES ($1, $2)"),
    ("mysql", "UPDATE", "UPDATE inventory SET count = count - ? WHERE sku = ?"),
    ("redis", "GET", "GET session:{id}"),
    ("redis", "SET", "SET cart:{id} EX 3600"),
    ("mongodb", "find", "{\"find\":\"reviews\",\"filter\":{\"product\":\"?\"}}"),
];
const INTERNAL: [&str; 8] =
    ["validate", "render", "compute-tax", "serialize", "apply-discounts", "authorize", "resolve-features", "marshal"];
const ERRORS: [(i64, &str, &str); 3] = [
    (500, "NullPointerException", "cart item has no price"),
    (503, "UnavailableError", "upstream connect error or disconnect/reset before headers"),
    (502, "BadGateway", "upstream returned malformed response"),
];

/// Every string and index the generator needs, interned once.
pub(super) struct Catalog {
    pub(super) services: Vec<(Sym, ResourceIdx)>,
    pub(super) scope_http: ScopeIdx,
    pub(super) scope_db: ScopeIdx,
    pub(super) scope_msg: ScopeIdx,
    pub(super) scope_internal: ScopeIdx,
    pub(super) http_names: Vec<(Sym, Sym, Sym)>, // (span name, method, route)
    pub(super) db: Vec<(Sym, Sym, Sym, Sym)>,    // (span name, system, operation, statement)
    pub(super) internal: Vec<Sym>,
    pub(super) errors: Vec<(i64, Sym, Sym)>,
    pub(super) topics: Vec<(Sym, Sym, Sym)>, // (publish name, receive name, destination)
    pub(super) keys: Keys,
    pub(super) ev_exception: Sym,
    pub(super) ev_cache_miss: Sym,
    pub(super) ev_retry: Sym,
    pub(super) kafka: Sym,
    pub(super) user_ids: Vec<Sym>,
}

pub(super) struct Keys {
    pub(super) http_method: Sym,
    pub(super) http_route: Sym,
    pub(super) http_status: Sym,
    pub(super) user_id: Sym,
    pub(super) rpc_system: Sym,
    pub(super) grpc: Sym,
    pub(super) db_system: Sym,
    pub(super) db_operation: Sym,
    pub(super) db_statement: Sym,
    pub(super) msg_system: Sym,
    pub(super) msg_destination: Sym,
    pub(super) exc_type: Sym,
    pub(super) exc_message: Sym,
    pub(super) attempt: Sym,
    pub(super) peer_service: Sym,
    pub(super) items: Sym,
}

impl Catalog {
    pub(super) fn new(b: &mut TraceSetBuilder) -> Self {
        let mut s = |t: &str| b.intern(t);
        let keys = Keys {
            http_method: s("http.method"),
            http_route: s("http.route"),
            http_status: s("http.status_code"),
            user_id: s("enduser.id"),
            rpc_system: s("rpc.system"),
            grpc: s("grpc"),
            db_system: s("db.system"),
            db_operation: s("db.operation"),
            db_statement: s("db.statement"),
            msg_system: s("messaging.system"),
            msg_destination: s("messaging.destination.name"),
            exc_type: s("exception.type"),
            exc_message: s("exception.message"),
            attempt: s("retry.attempt"),
            peer_service: s("peer.service"),
            items: s("app.items.count"),
        };
        let http_names = ROUTES
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let m = HTTP_METHODS[i % HTTP_METHODS.len()];
                (b.intern(&format!("{m} {r}")), b.intern(m), b.intern(r))
            })
            .collect();
        let db = DB
            .iter()
            .map(|(sys, op, st)| (b.intern(&format!("{op} {sys}")), b.intern(sys), b.intern(op), b.intern(st)))
            .collect();
        let internal = INTERNAL.iter().map(|n| b.intern(n)).collect();
        let errors = ERRORS.iter().map(|(c, t, m)| (*c, b.intern(t), b.intern(m))).collect();
        let topics = ["orders", "payments", "emails"]
            .iter()
            .map(|t| (b.intern(&format!("{t} publish")), b.intern(&format!("{t} process")), b.intern(t)))
            .collect();
        let user_ids = (0..1000).map(|i| b.intern(&format!("user-{i:04}"))).collect();
        let mut scope = |name: &str, version: &str| {
            let (name, version) = (b.intern(name), b.intern(version));
            b.add_scope(Scope { name, version: Some(version), attributes: Box::default() })
        };
        let scope_http = scope("io.opentelemetry.http", "1.32.0");
        let scope_db = scope("io.opentelemetry.db", "1.32.0");
        let scope_msg = scope("io.opentelemetry.kafka", "1.32.0");
        let scope_internal = scope("app", "2.4.1");
        let svc_key = b.intern("service.name");
        let ver_key = b.intern("service.version");
        let host_key = b.intern("host.name");
        let lang_key = b.intern("telemetry.sdk.language");
        let services = SERVICES
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let service = b.intern(name);
                let attributes = vec![
                    Attribute { key: svc_key, value: AnyValue::Str(service) },
                    Attribute { key: ver_key, value: AnyValue::Str(b.intern(&format!("1.{}.{}", i % 7, i % 3))) },
                    Attribute {
                        key: host_key,
                        value: AnyValue::Str(b.intern(&format!("{name}-{:x}", 0x5f3a + i * 97))),
                    },
                    Attribute { key: lang_key, value: AnyValue::Str(b.intern(LANGUAGES[i % LANGUAGES.len()])) },
                ];
                (
                    service,
                    b.add_resource(Resource { service, attributes: attributes.into(), dropped_attributes_count: 0 }),
                )
            })
            .collect();
        Catalog {
            services,
            scope_http,
            scope_db,
            scope_msg,
            scope_internal,
            http_names,
            db,
            internal,
            errors,
            topics,
            keys,
            ev_exception: b.intern("exception"),
            ev_cache_miss: b.intern("cache miss"),
            ev_retry: b.intern("retry"),
            kafka: b.intern("kafka"),
            user_ids,
        }
    }
}
