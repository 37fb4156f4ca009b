import ServiceLifecycle

/// The group-commit writer as a service: on graceful shutdown it writes what is queued.
public struct EventStoreService: Service {
    public let store: EventStore

    public init(store: EventStore) { self.store = store }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await store.run()
        } onGracefulShutdown: {
            store.finish()
        }
    }
}
