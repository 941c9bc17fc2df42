using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class PromotionRequestConfiguration : IEntityTypeConfiguration<PromotionRequest>
{
    public void Configure(EntityTypeBuilder<PromotionRequest> builder)
    {
        builder.Property(r => r.From).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.RequestedBy).HasMaxLength(200);
        builder.Property(r => r.RequestedById).HasMaxLength(450);
        builder.Property(r => r.ClosedBy).HasMaxLength(200);
        builder.Property(r => r.Reason).HasMaxLength(1000);
        // Pending requests per environment, and everything pending for the approvers' list.
        builder.HasIndex(r => new { r.EnvironmentId, r.Status });
        builder.HasIndex(r => new { r.Status, r.ExpiresAt });
        builder.HasOne(r => r.Environment).WithMany().OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PromotionApprovalConfiguration : IEntityTypeConfiguration<PromotionApproval>
{
    public void Configure(EntityTypeBuilder<PromotionApproval> builder)
    {
        builder.Property(a => a.ApprovedBy).HasMaxLength(200);
        builder.Property(a => a.ApproverId).HasMaxLength(450);
        builder.Property(a => a.OverrideReason).HasMaxLength(1000);
        builder.Property(a => a.EvidenceHash).HasMaxLength(64).IsFixedLength();
        // Distinct approvers, enforced by the store too: two clicks (or two sign-ins) of one person are one approval.
        builder.HasIndex(a => new { a.RequestId, a.ApproverId }).IsUnique();
        builder.HasOne(a => a.Request).WithMany(r => r.Approvals).OnDelete(DeleteBehavior.Cascade);
    }
}
