package io.customeranalytics.bench.load;

import io.customeranalytics.bench.workload.ReadCases;
import io.customeranalytics.bench.workload.ReadCases.ReadCase;
import io.gatling.javaapi.core.Choice;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * The mixed read workload (ReadCases.mix): a dashboard and per-customer pages together. Each request picks a
 * case by its weight and that case's next parameters; requests go to the service that answers the endpoint.
 * Request names are {@code mixed <case>}; the run reports them together.
 */
public class MixedReadsSimulation extends Simulation {

    {
        BenchSettings settings = new BenchSettings();
        ReadCases cases = settings.readCases();
        List<Choice.WithWeight> choices = new ArrayList<>();
        long seed = settings.seed;
        for (Map.Entry<String, Integer> part : cases.mix().entrySet()) {
            ReadCase readCase = cases.byName(part.getKey()).orElseThrow();
            String url = settings.baseUrlOf(readCase.endpoint()) + "/v0/pipes/" + readCase.endpoint() + ".json";
            choices.add(new Choice.WithWeight(part.getValue(), feed(BenchSettings.feeder(seed++, readCase.params()))
                    .exec(http("mixed " + readCase.name())
                            .get(url)
                            .queryParamMap("#{query}")
                            .check(status().is(200)))));
        }
        ScenarioBuilder scenario = scenario("mixed")
                .exec(settings.countBound())
                .exec(randomSwitch().on(choices));
        setUp(scenario.injectClosed(constantConcurrentUsers(settings.clients).during(settings.duration)))
                .protocols(http.header("Authorization", "Bearer " + settings.token)
                        .acceptHeader("application/json")
                        .shareConnections())
                .maxDuration(settings.duration.plusSeconds(60));
    }
}
