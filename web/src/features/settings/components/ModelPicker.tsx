// Placeholder: replaced by the settings feature (models from GET /api/models; the simulator labelled "Simulated model").
export function ModelPicker(_props: { value: string | null; onChange: (model: string) => void; disabled?: boolean }) {
  return null;
}
