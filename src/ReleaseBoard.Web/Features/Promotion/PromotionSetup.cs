using Microsoft.Extensions.DependencyInjection.Extensions;
using ReleaseBoard.Web.Features.Ingestion;
using ReleaseBoard.Web.Features.Trends;
using ReleaseBoard.Web.Features.Windows;

namespace ReleaseBoard.Web.Features.Promotion;

public static class PromotionSetup
{
    /// <summary>
    /// The state machine, what its evidence reads, and the pause when an incident opens. The command line needs them
    /// too: an import of an incident still open pauses promotion there as it does in the app.
    /// </summary>
    public static IServiceCollection AddPromotionRules(this IServiceCollection services)
    {
        services.AddTrendEngine();
        services.AddWindows();
        services.TryAddSingleton<ReadinessEvaluator>();
        services.TryAddSingleton<WhatIfReplay>();
        services.TryAddSingleton<EvidenceSnapshot>();
        services.TryAddSingleton<PromotionService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIncidentOpenedReaction, PauseOnIncident>());
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<Ingestion.Webhooks.ICanaryRollbackCause, IncidentRollbackCause>()
        );
        services
            .AddOptions<PromotionOptions>()
            .BindConfiguration(PromotionOptions.SectionName)
            .Validate(o => o.PausingSeverity is >= 1 and <= 4, "Promotion:PausingSeverity must be 1 to 4 (1 = worst).")
            .ValidateOnStart();
        return services;
    }

    /// <summary>The rules, the gate, the pipelines page and its audit, and the sweep that expires requests.</summary>
    public static WebApplicationBuilder AddPromotion(this WebApplicationBuilder builder)
    {
        builder.Services.AddPromotionRules();
        builder.Services.AddSingleton<PromotionGate>();
        builder.Services.AddSingleton<PromotionActions>();
        builder.Services.AddSingleton<PromotionAuditQuery>();
        builder.Services.AddSingleton<PipelinesQuery>();
        builder.Services.AddHostedService<PromotionExpirySweep>();
        return builder;
    }

    public static RouteGroupBuilder MapPromotion(this RouteGroupBuilder api) =>
        api.MapGateEndpoints().MapFlaggerGateEndpoints().MapPromotionEndpoints();
}
