using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using ReleaseBoard.Web.Features.Access;
using Scalar.AspNetCore;

namespace ReleaseBoard.Web.Api;

/// <summary>
/// The OpenAPI document client generators read: its security schemes applied per operation, the 4xx each operation
/// gives, and its tags described. Redocly CLI's recommended rules lint it in the test run (scripts/test.sh).
/// </summary>
public static class ApiDocumentation
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = Infrastructure.TransportSetup.ApiReferencePath;

    public const string ApiKeyScheme = "apiKey",
        CookieScheme = "signedInPerson",
        GitHubSignatureScheme = "gitHubSignature",
        PagerDutySignatureScheme = "pagerDutySignature",
        CatchSignatureScheme = "catchSignature",
        WebhookTokenScheme = "webhookToken";

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Teams"] = "Teams with their services and environments, the wall's sign and the trends' figures.",
        ["Deployments"] = "Deployments as pipelines report them; idempotent by source and externalId.",
        ["Incidents"] = "Production incidents: the failures MTBF, MTTR and the change failure rate count.",
        ["Catches"] = "Defects caught before production that would have hurt it: they reset the wall.",
        ["Catalog"] = "Teams, services and environments as code; never their promotion policy through a key.",
        ["Promotion"] = "The switch: the gate pipelines ask, its answers for Flagger, and people's transitions.",
        ["Webhooks"] = "Deliveries of GitHub, PagerDuty, Alertmanager, Flagger, Argo Rollouts and any test system.",
    };

    /// <summary>Transitions people make from the pipelines page: a signed-in Approver, never a key.</summary>
    private static readonly HashSet<string> PersonOnly =
    [
        "RequestContinuous",
        "Pause",
        "SetManual",
        "ApproveRequest",
        "RejectRequest",
        "StopTheLine",
    ];

    /// <summary>Webhooks authenticated by the delivery itself; Flagger's carry the secret in metadata.token.</summary>
    private static readonly Dictionary<string, string[][]> WebhookSecurity = new()
    {
        ["GitHubWebhook"] =
        [
            [GitHubSignatureScheme],
        ],
        ["PagerDutyWebhook"] =
        [
            [PagerDutySignatureScheme],
        ],
        ["ArgoRolloutsWebhook"] =
        [
            [WebhookTokenScheme],
        ],
        ["CatchWebhook"] =
        [
            [CatchSignatureScheme],
            [WebhookTokenScheme],
        ],
        ["FlaggerEventWebhook"] = [],
        ["FlaggerConfirmPromotion"] = [],
        ["FlaggerRollback"] = [],
    };

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer(
                (document, _, _) =>
                {
                    document.Info.Title = "ReleaseBoard API";
                    document.Info.Description =
                        "Record deployments, incidents and catches; read teams, events, the wall's sign and the "
                        + "metrics; ask the promotion gate. Authenticate with an API key: Authorization: Bearer rbk_…";
                    // Self-hosted: the API lives wherever ReleaseBoard runs, not at whichever host rendered this.
                    document.Servers =
                    [
                        new OpenApiServer
                        {
                            Url = "{origin}",
                            Description = "Your ReleaseBoard",
                            Variables = new Dictionary<string, OpenApiServerVariable>
                            {
                                ["origin"] = new()
                                {
                                    Default = "http://localhost:5080",
                                    Description = "Scheme, host and port of your ReleaseBoard (dotnet run: this one).",
                                },
                            },
                        },
                    ];
                    document.Components ??= new OpenApiComponents();
                    document.Components.SecuritySchemes = SecuritySchemes();
                    document.Tags = TagDescriptions
                        .Select(t => new OpenApiTag { Name = t.Key, Description = t.Value })
                        .ToHashSet();
                    return Task.CompletedTask;
                }
            );
            options.AddOperationTransformer(
                (operation, context, _) =>
                {
                    Describe(operation, context);
                    return Task.CompletedTask;
                }
            );
        });

    private static Dictionary<string, IOpenApiSecurityScheme> SecuritySchemes() =>
        new()
        {
            [ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (rbk_…), made by an Admin: a team's, or one for all teams.",
            },
            [CookieScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = ".ReleaseBoard.Auth",
                Description = "A person signed in to ReleaseBoard (the same-origin pages); never a machine.",
            },
            [GitHubSignatureScheme] = Header("X-Hub-Signature-256", "GitHub's HMAC-SHA256 of the body."),
            [PagerDutySignatureScheme] = Header("X-PagerDuty-Signature", "PagerDuty's v1= HMAC-SHA256 signatures."),
            [CatchSignatureScheme] = Header(
                "X-ReleaseBoard-Signature-256",
                "sha256= and the HMAC-SHA256 of the body with the catch webhook secret."
            ),
            [WebhookTokenScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A webhook secret (rbw_…) bound by an Admin to a team or a service.",
            },
        };

    private static OpenApiSecurityScheme Header(string name, string description) =>
        new()
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = name,
            Description = description,
        };

    /// <summary>Security and the 4xx answers of one operation, from its endpoint's own metadata.</summary>
    private static void Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var name = metadata.OfType<IEndpointNameMetadata>().LastOrDefault()?.EndpointName ?? "";
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        string[][] security =
            WebhookSecurity.TryGetValue(name, out var hook) ? hook
            : PersonOnly.Contains(name)
                ?
                [
                    [CookieScheme],
                ]
            : policies.Contains(Policies.Ingest)
                ?
                [
                    [ApiKeyScheme],
                ]
            : policies.Contains(Policies.Read)
                ?
                [
                    [ApiKeyScheme],
                    [CookieScheme],
                ]
            : [];
        operation.Security = security
            .Select(alternative =>
            {
                var requirement = new OpenApiSecurityRequirement();
                foreach (var scheme in alternative)
                    requirement[new OpenApiSecuritySchemeReference(scheme, context.Document)] = [];
                return requirement;
            })
            .ToList();
        var isWebhook = hook is not null;
        if (isWebhook && hook!.Length == 0)
            operation.Description =
                (operation.Description is { Length: > 0 } d ? d + " " : "")
                + "Authenticated by metadata.token in the body (the Flagger webhook secret): Flagger sends no headers.";

        operation.Responses ??= new OpenApiResponses();
        var hasBody = operation.RequestBody is not null || context.Description.ParameterDescriptions.Count > 0;
        var authenticated = security.Length > 0 || isWebhook;
        if (hasBody || isWebhook)
            Add(operation, context, "400", "The request is not valid: a message per field; nothing was stored.");
        if (authenticated)
        {
            Add(operation, context, "401", "No valid key, session, signature or token.");
            Add(operation, context, "403", "Authenticated, but this caller may not do this (or speak for that owner).");
        }
        if (context.Description.RelativePath?.Contains('{') == true || isWebhook)
            Add(operation, context, "404", "What the request names does not exist, or is not the caller's to see.");
        if (isWebhook)
            Add(operation, context, "409", "Two owners' entries match what it names; for Flagger's gate: not now.");
    }

    private static void Add(
        OpenApiOperation operation,
        OpenApiOperationTransformerContext context,
        string status,
        string description
    )
    {
        if (operation.Responses!.TryGetValue(status, out var existing))
        {
            if (existing is OpenApiResponse response && string.IsNullOrEmpty(response.Description))
                response.Description = description;
            return;
        }
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new()
                {
                    Schema = new OpenApiSchemaReference("ProblemDetails", context.Document),
                },
            },
        };
    }

    /// <summary>
    /// The OpenAPI document and a browsable reference (Scalar, served by the app itself: no CDN). Public: they
    /// describe, they reveal no data.
    /// </summary>
    public static IEndpointRouteBuilder MapApiDocumentation(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        // Nothing leaves the machine: no web fonts, no telemetry, no AI agent, no proxy; only the app's own document.
        app.MapScalarApiReference(ReferencePath, options =>
                options
                    .WithTitle("ReleaseBoard API reference")
                    .WithOpenApiRoutePattern(DocumentPath)
                    .DisableDefaultFonts()
                    .DisableTelemetry()
                    .DisableAgent()
                    .DisableMcp()
                    .HideDeveloperTools()
                    .HideClientButton()
                    .ForceDarkMode()
                    .AddHttpAuthentication("Bearer", _ => { })
            )
            .AllowAnonymous();
        return app;
    }
}
