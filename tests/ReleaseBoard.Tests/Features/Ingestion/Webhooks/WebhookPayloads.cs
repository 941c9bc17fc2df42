using System.Text;
using System.Text.Json.Nodes;

namespace ReleaseBoard.Tests.Features.Ingestion.Webhooks;

/// <summary>The tools' documented payloads (Payloads/README.md), as they are or with one thing changed.</summary>
public static class WebhookPayloads
{
    public static byte[] Payload(string name) =>
        File.ReadAllBytes(
            Path.Combine(AppContext.BaseDirectory, "Features", "Ingestion", "Webhooks", "Payloads", name)
        );

    public static byte[] Edited(string name, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(Payload(name))!;
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
