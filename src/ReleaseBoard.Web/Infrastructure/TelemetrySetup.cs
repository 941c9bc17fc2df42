using Microsoft.AspNetCore.Components.Server.Circuits;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ReleaseBoard.Web.Infrastructure;

public static class TelemetrySetup
{
    /// <summary>
    /// The standard OpenTelemetry setting: where the collector listens (e.g. http://otel-collector:4317).
    /// </summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Our own counters always; traces, metrics and logs over OTLP only when an endpoint is configured, so nothing
    /// leaves the process by itself.
    /// </summary>
    public static WebApplicationBuilder AddReleaseBoardTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReleaseBoardMetrics>();
        builder.Services.AddScoped<CircuitHandler, CircuitMetricsHandler>();
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
            return builder;

        builder
            .Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
                resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "releaseboard")
            )
            .WithTracing(tracing =>
                tracing
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path))
                    .AddEntityFrameworkCoreInstrumentation()
            )
            .WithMetrics(metrics =>
                metrics
                    .AddMeter(ReleaseBoardMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddMeter(
                        "Microsoft.AspNetCore.Components",
                        "Microsoft.AspNetCore.Components.Server.Circuits",
                        "Microsoft.EntityFrameworkCore"
                    )
                    .AddRuntimeInstrumentation()
            )
            .WithLogging(
                logging => { },
                options => (options.IncludeFormattedMessage, options.IncludeScopes) = (true, true)
            )
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>Health probes every few seconds would drown the traces that matter.</summary>
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
