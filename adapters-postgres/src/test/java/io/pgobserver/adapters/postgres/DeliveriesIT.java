package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.contract.DeliveriesContract;
import io.pgobserver.domain.port.Deliveries;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeliveriesIT extends DeliveriesContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    @Override
    protected Deliveries newStore() {
        DB.execute("truncate pgobserver.deliveries");
        return new JdbiDeliveries(DB.database());
    }
}
