package io.customeranalytics.bench.load;

import io.customeranalytics.bench.workload.ReadCases.ReadCase;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * One read case (bench.case, a name of {@code ReadCases}): a closed model of bench.clients clients, each sending
 * its next request as soon as the last one answered, for bench.durationSeconds or bench.maxRequests requests,
 * whichever comes first. A request is OK only when it answers 200.
 */
public class PipeSimulation extends Simulation {

    {
        BenchSettings settings = new BenchSettings();
        ReadCase readCase = settings.readCases().byName(settings.caseName)
                .orElseThrow(() -> new IllegalArgumentException("no read case " + settings.caseName));
        HttpProtocolBuilder protocol = http.baseUrl(settings.baseUrlOf(readCase.endpoint()))
                .header("Authorization", "Bearer " + settings.token)
                .acceptHeader("application/json")
                .shareConnections();
        ScenarioBuilder scenario = scenario(readCase.name())
                .exec(settings.countBound())
                .feed(BenchSettings.feeder(settings.seed, readCase.params()))
                .exec(http(readCase.name())
                        .get("/v0/pipes/" + readCase.endpoint() + ".json")
                        .queryParamMap("#{query}")
                        .check(status().is(200)));
        setUp(scenario.injectClosed(constantConcurrentUsers(settings.clients).during(settings.duration)))
                .protocols(protocol)
                .maxDuration(settings.duration.plusSeconds(60));
    }
}
