using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class DisplayLinkConfiguration : IEntityTypeConfiguration<DisplayLink>
{
    public void Configure(EntityTypeBuilder<DisplayLink> builder)
    {
        builder.ToTable("DisplayLinks");
        builder.Property(l => l.TokenHash).HasMaxLength(64).IsUnicode(false);
        builder.Property(l => l.TokenPrefix).HasMaxLength(16).IsUnicode(false);
        builder.Property(l => l.CreatedBy).HasMaxLength(200);
        builder.Property(l => l.Theme).HasMaxLength(8).IsUnicode(false).HasDefaultValue("dark");
        builder.Ignore(l => l.IsActive);
        builder.HasIndex(l => l.TokenHash).IsUnique();
        builder.HasMany(l => l.Teams).WithOne().HasForeignKey(t => t.DisplayLinkId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DisplayLinkTeamConfiguration : IEntityTypeConfiguration<DisplayLinkTeam>
{
    public void Configure(EntityTypeBuilder<DisplayLinkTeam> builder)
    {
        builder.ToTable("DisplayLinkTeams");
        builder.HasKey(t => new { t.DisplayLinkId, t.TeamId });
        // SQL Server refuses two cascade paths into one table; removing a team removes its rows explicitly.
        builder.HasOne(t => t.Team).WithMany().OnDelete(DeleteBehavior.Cascade);
    }
}
